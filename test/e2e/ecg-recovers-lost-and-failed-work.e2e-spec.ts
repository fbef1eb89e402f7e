import { DataSource } from 'typeorm';
import { InProcessTransport } from '../../src/core/messaging/in-process.transport';
import { MessagePublisher } from '../../src/core/messaging/message-publisher';
import type { StatusEvent } from '../../src/core/realtime/status-event';
import { StatusEventBus } from '../../src/core/realtime/status-event-bus';
import { exhaustedReason } from '../../src/core/workload/failure-policy';
import { workloadToken } from '../../src/core/workload/workload';
import { WorkloadSweeper } from '../../src/core/workload/workload-sweeper';
import { ECG_WORKLOAD } from '../../src/modules/ecg/ecg.workload';
import { RecentSignals } from '../../src/modules/ecg/recent-signals';
import { EcgRepository } from '../../src/modules/ecg/ecg.repository';
import { createTestApp, TestApp } from '../utils/test-app';
import { poll } from '../utils/poll';

type Body = Record<string, unknown>;

describe('ECG processing recovers lost work and fails broken work visibly', () => {
  let t: TestApp;
  let user: { id: string; token: string };
  let events: StatusEvent[];
  let unsubscribe: () => void;

  beforeAll(async () => {
    t = await createTestApp();
    user = await t.createUser();
    unsubscribe = t.app.get(StatusEventBus).subscribe((event) => events.push(event));
  });
  beforeEach(() => {
    events = [];
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    unsubscribe();
    await t.close();
  });

  const submit = (id: string) =>
    t
      .http()
      .post('/api/v1/ecgs')
      .set('authorization', `Bearer ${user.token}`)
      .send({ id, date: '2025-11-22T10:15:00Z', leads: [{ name: 'I', signal: [1, -1, 1, -1, 1, -1, 0, -1, 0, 1] }] })
      .expect(202);
  const get = async (id: string): Promise<Body> =>
    (await t.http().get(`/api/v1/ecgs/${id}`).set('authorization', `Bearer ${user.token}`).expect(200)).body;

  const waitFor = (id: string, statuses: string[]): Promise<Body> =>
    poll(() => get(id), (body) => statuses.includes(body.status as string), `ECG ${id} is ${statuses.join('/')}`, {
      timeoutMs: 20_000,
      intervalMs: 25,
    });

  const fastSweeper = () => new WorkloadSweeper(t.app.get(workloadToken('ecg')), t.app.get(MessagePublisher), { intervalMs: 20, staleAfterMs: 100 });
  const statusesOf = (id: string) => events.filter((e) => e.resource === 'ecg' && e.id === id).map((e) => e.status);

  it('announces processing and completed to the owner', async () => {
    await submit('announced');
    await waitFor('announced', ['completed']);
    expect(events.filter((e) => e.id === 'announced')).toEqual([
      expect.objectContaining({ type: 'status', resource: 'ecg', id: 'announced', owner: user.id, status: 'processing' }),
      expect.objectContaining({ type: 'status', resource: 'ecg', id: 'announced', owner: user.id, status: 'completed' }),
    ]);
  });

  it('still accepts an ECG whose publish failed, and the sweeper gets it analysed', async () => {
    jest.spyOn(t.app.get(MessagePublisher), 'publish').mockRejectedValueOnce(new Error('broker unreachable'));
    await submit('lost-publish');
    expect((await get('lost-publish')).status).toBe('queued');

    const sweeper = fastSweeper();
    sweeper.start();
    try {
      const ecg = await waitFor('lost-publish', ['completed', 'failed']);
      expect(ecg).toMatchObject({ status: 'completed', leads: [{ name: 'I', zero_crossings: 6 }] });
    } finally {
      await sweeper.stop();
    }
  });

  it('retries a transient failure and completes', async () => {
    // The first delivery reads the database, as a worker in another process does, rather than the
    // signals this process keeps of what it was just sent.
    jest.spyOn(t.app.get(RecentSignals), 'take').mockReturnValueOnce(undefined);
    jest.spyOn(t.app.get(EcgRepository), 'loadSignals').mockRejectedValueOnce(new Error('Connection terminated unexpectedly'));
    await submit('transient');
    expect(await waitFor('transient', ['completed', 'failed'])).toMatchObject({ status: 'completed', error: null });
  });

  it('fails an ECG that cannot be analysed with a clear error, at once, and dead-letters its message', async () => {
    // The first delivery reads the database, as a worker in another process does, rather than the
    // signals this process keeps of what it was just sent.
    jest.spyOn(t.app.get(RecentSignals), 'take').mockReturnValueOnce(undefined);
    jest.spyOn(t.app.get(EcgRepository), 'loadSignals').mockRejectedValueOnce(new RangeError('a stored signal of 5 bytes is not a whole number of Int32 samples'));
    await submit('corrupt');

    const ecg = await waitFor('corrupt', ['completed', 'failed']);

    expect(ecg).toMatchObject({ status: 'failed', error: expect.stringMatching(/^A stored signal is corrupt/), processed_at: expect.any(String) });
    expect(ecg.leads).toEqual([{ name: 'I', number_of_samples: 10 }]);
    expect(statusesOf('corrupt')).toEqual(['processing', 'failed']);
    expect(events.find((e) => e.id === 'corrupt' && e.status === 'failed')?.error).toBe(ecg.error);
    expect(t.app.get(InProcessTransport).deadLetters('ecg.analyse').length).toBeGreaterThanOrEqual(1);
  });

  it('fails an ECG left processing by workers that keep dying, once its re-publish budget is spent', async () => {
    // No message at all, and the row as a crashed worker leaves it.
    jest.spyOn(t.app.get(MessagePublisher), 'publish').mockRejectedValue(new Error('broker unreachable'));
    await submit('crash-loop');
    await t.app.get(DataSource).query(`UPDATE ecgs SET status = 'processing', republish_count = ${ECG_WORKLOAD.attempts}, updated_at = now() - interval '1 hour' WHERE id = 'crash-loop'`);

    await fastSweeper().sweep();

    expect(await get('crash-loop')).toMatchObject({ status: 'failed', error: exhaustedReason(ECG_WORKLOAD.attempts) });
    expect(statusesOf('crash-loop')).toEqual(['failed']);
  });
});
