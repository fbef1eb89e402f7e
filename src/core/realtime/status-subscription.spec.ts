import type { StatusSnapshot } from './status-event';
import type { StatusSnapshotRegistry } from './status-snapshot.registry';
import { resyncSubscriptions, StatusSubscription } from './status-subscription';

const status = (status: string, progress?: number): StatusSnapshot => ({
  type: 'status',
  resource: 'job',
  id: 'job-1',
  status,
  ...(progress === undefined ? {} : { progress }),
  at: '2026-11-22T10:00:00.000Z',
});

/** Offers the events in order and answers what the subscriber is sent, as [status, progress]. */
function sent(subscription: StatusSubscription, events: StatusSnapshot[]): [string, number | undefined][] {
  return events.flatMap((event) => {
    const out = subscription.offer(event);
    return out ? [[out.status, out.progress] as [string, number | undefined]] : [];
  });
}

describe('StatusSubscription', () => {
  const started = (snapshot = status('processing', 0)) => {
    const subscription = new StatusSubscription('job', 'job-1', 'owner-1');
    subscription.start(snapshot);
    return subscription;
  };

  it('passes increasing progress on as it is', () => {
    const events = [status('processing', 10), status('processing', 50), status('processing', 100), status('completed', 100)];
    expect(sent(started(), events)).toEqual([
      ['processing', 10],
      ['processing', 50],
      ['processing', 100],
      ['completed', 100],
    ]);
  });

  it('drops an event whose progress is lower than the last one sent (a redelivered message replaying its steps)', () => {
    const events = [10, 20, 30, 10, 20, 30, 40].map((p) => status('processing', p));
    expect(sent(started(), events).map(([, p]) => p)).toEqual([10, 20, 30, 30, 40]);
  });

  it('never drops a terminal status, and raises its progress to what the subscriber saw', () => {
    expect(sent(started(), [status('processing', 70), status('failed', 40)])).toEqual([
      ['processing', 70],
      ['failed', 70],
    ]);
  });

  it('sends nothing after a terminal status', () => {
    const subscription = started();
    expect(sent(subscription, [status('completed', 100), status('processing', 100), status('completed', 100)])).toEqual([['completed', 100]]);
    expect(subscription.ended).toBe(true);
  });

  it('passes events without progress on, and keeps the progress floor across them', () => {
    expect(sent(started(), [status('processing', 40), status('processing'), status('processing', 30), status('completed')])).toEqual([
      ['processing', 40],
      ['processing', undefined],
      ['completed', undefined],
    ]);
  });

  it('holds events back until the snapshot, then releases those that are newer than it, in order', () => {
    const subscription = new StatusSubscription('job', 'job-1', 'owner-1');
    expect(sent(subscription, [status('processing', 10), status('processing', 30), status('processing', 60)])).toEqual([]);

    // The snapshot was read after the 30 % step was committed.
    const held = subscription.start(status('processing', 30));

    expect(held.map((e) => e.progress)).toEqual([30, 60]);
    expect(sent(subscription, [status('processing', 50), status('processing', 70)]).map(([, p]) => p)).toEqual([70]);
  });

  it('releases nothing after a terminal snapshot', () => {
    const subscription = new StatusSubscription('job', 'job-1', 'owner-1');
    subscription.offer(status('processing', 90));
    subscription.offer(status('completed', 100));

    expect(subscription.start(status('completed', 100))).toEqual([]);
    expect(subscription.ended).toBe(true);
  });

  it('keeps a terminal event even when too many events are held back', () => {
    const subscription = new StatusSubscription('job', 'job-1', 'owner-1');
    for (let p = 0; p < 1000; p++) subscription.offer(status('processing', p / 10));
    subscription.offer(status('completed', 100));

    const held = subscription.start(status('queued'));

    expect(held.length).toBeLessThan(1000);
    expect(held.at(-1)).toMatchObject({ status: 'completed' });
  });
});

describe('resyncSubscriptions', () => {
  it('reads each resource once per owner and offers the fresh snapshot to each of its subscribers', async () => {
    const fresh: Record<string, StatusSnapshot | null> = {
      'alice/job-1': status('completed', 100),
      'bob/job-1': status('processing', 20),
      'alice/gone': null,
    };
    const snapshot = jest.fn(async (_resource: string, owner: string, id: string) => fresh[`${owner}/${id}`] ?? null);
    const subscriber = (owner: string, id: string, progress: number) => {
      const subscription = new StatusSubscription('job', id, owner);
      subscription.start(status('processing', progress));
      return { name: `${owner}/${id}@${progress}`, subscription };
    };
    const subscribers = [subscriber('alice', 'job-1', 10), subscriber('alice', 'job-1', 50), subscriber('bob', 'job-1', 40), subscriber('alice', 'gone', 0)];
    const received: string[] = [];

    await resyncSubscriptions(subscribers, { snapshot } as unknown as StatusSnapshotRegistry, ({ name }, out) =>
      received.push(`${name} ${out.status} ${out.progress}`),
    );

    expect(snapshot).toHaveBeenCalledTimes(3);
    // Bob had seen 40 %: an older 20 % snapshot is not sent to him.
    expect(received.sort()).toEqual(['alice/job-1@10 completed 100', 'alice/job-1@50 completed 100']);
    expect(subscribers[0].subscription.ended).toBe(true);
  });
});
