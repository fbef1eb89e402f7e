import { Logger } from '@nestjs/common';
import { until } from '../../../test/utils/poll';
import { IsString } from 'class-validator';
import type { MessagePublisher } from '../messaging/message-publisher';
import { defineQueue } from '../messaging/queue-definition';
import type { StatusEventPublisher } from '../realtime/status-event';
import { StatusSnapshotRegistry } from '../realtime/status-snapshot.registry';
import { exhaustedReason } from './failure-policy';
import { defineWorkload, type WorkloadRow, type WorkloadStore } from './workload';
import { WorkloadLifecycle } from './workload-lifecycle';
import { WorkloadSweeper } from './workload-sweeper';

class RunMessage {
  @IsString()
  id!: string;
}

const RUN = defineQueue({ name: 'unit.sweeper.run', message: RunMessage, retry: { maxAttempts: 3, backoffMs: 1, maxBackoffMs: 1 } });

const row = (id: string, status = 'processing'): WorkloadRow => ({ id, ownerId: 'u', status, updatedAt: new Date(0) });

class FakeStore implements WorkloadStore<WorkloadRow> {
  stale: WorkloadRow[] = [];
  exhausted: WorkloadRow[] = [];
  claims = 0;
  findOwned = jest.fn(async () => null);
  start = jest.fn(async () => null);
  fail = jest.fn(async () => null);
  exists = jest.fn(async () => true);
  async claimStale(): Promise<WorkloadRow[]> {
    this.claims++;
    return this.stale;
  }
}

class BudgetStore extends FakeStore {
  failExhausted = jest.fn(async () => this.exhausted);
}

let resources = 0;

function setup(withBudget = true) {
  const publisher = { publish: jest.fn(async () => undefined) };
  const events = { publish: jest.fn(async () => undefined) };
  const store = withBudget ? new BudgetStore() : new FakeStore();
  const definition = defineWorkload({
    resource: `unit${++resources}`,
    queue: RUN,
    store: FakeStore,
    keyOf: (m: RunMessage) => m.id,
    messageFor: (r: WorkloadRow) => ({ id: r.id }),
    toStatus: (r: WorkloadRow) => ({ status: r.status }),
    attempts: 3,
    sweep: { intervalMs: 10, staleAfterMs: 1000, batchSize: 5 },
  });
  const lifecycle = new WorkloadLifecycle(definition, store, events as unknown as StatusEventPublisher, new StatusSnapshotRegistry());
  const sweeper = new WorkloadSweeper(lifecycle, publisher as unknown as MessagePublisher);
  return { sweeper, publisher, events, store, definition };
}

describe('WorkloadSweeper', () => {
  beforeEach(() => {
    for (const level of ['log', 'warn'] as const) jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('fails and announces what is past the attempts budget, then re-publishes what it claimed to the queue', async () => {
    const { sweeper, publisher, events, store, definition } = setup();
    store.exhausted = [row('x', 'failed')];
    store.stale = [row('a'), row('b')];

    await expect(sweeper.sweep()).resolves.toEqual({ failed: 1, republished: 2 });
    expect((store as BudgetStore).failExhausted).toHaveBeenCalledWith(1000, 3, exhaustedReason(3));
    expect(events.publish).toHaveBeenCalledWith({ resource: definition.resource, id: 'x', owner: 'u', status: 'failed' });
    expect(publisher.publish.mock.calls).toEqual([
      [RUN, { id: 'a' }],
      [RUN, { id: 'b' }],
    ]);
  });

  it('fails nothing when the store counts starts instead (no failExhausted)', async () => {
    const { sweeper, events } = setup(false);
    await expect(sweeper.sweep()).resolves.toEqual({ failed: 0, republished: 0 });
    expect(events.publish).not.toHaveBeenCalled();
  });

  it('carries on past a row it cannot publish (the next round takes it again)', async () => {
    const { sweeper, publisher, store } = setup();
    store.stale = [row('a'), row('b')];
    publisher.publish.mockRejectedValueOnce(new Error('broker down'));
    await expect(sweeper.sweep()).resolves.toEqual({ failed: 0, republished: 1 });
    expect(publisher.publish).toHaveBeenCalledTimes(2);
  });

  it('takes overridden timings for one round', async () => {
    const { sweeper, store } = setup();
    const claim = jest.spyOn(store, 'claimStale');
    await sweeper.sweep({ staleAfterMs: 0 });
    expect(claim).toHaveBeenCalledWith(0, 5, 3);
  });

  it('sweeps on its interval from application bootstrap until module destroy', async () => {
    const { sweeper, store } = setup();
    sweeper.onApplicationBootstrap();
    await until(() => store.claims >= 2, 'two rounds ran');
    await sweeper.onModuleDestroy();
    const claims = store.claims;
    expect(claims).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(store.claims).toBe(claims);
  });
});
