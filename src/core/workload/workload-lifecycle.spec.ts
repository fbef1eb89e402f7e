import { Logger } from '@nestjs/common';
import { IsString } from 'class-validator';
import { DomainError } from '../errors/domain-error';
import { defineQueue } from '../messaging/queue-definition';
import type { StatusEventPublisher, StatusUpdate } from '../realtime/status-event';
import { StatusSnapshotRegistry } from '../realtime/status-snapshot.registry';
import { exhaustedReason } from './failure-policy';
import { defineWorkload, type WorkloadRow, type WorkloadStore } from './workload';
import { WorkloadLifecycle } from './workload-lifecycle';

class RunMessage {
  @IsString()
  id!: string;
}

const RUN = defineQueue({ name: 'unit.lifecycle.run', message: RunMessage, retry: { maxAttempts: 3, backoffMs: 1, maxBackoffMs: 1 } });
const ID = '11111111-1111-4111-8111-111111111111';

interface Row extends WorkloadRow {
  error?: string | null;
}

const row = (overrides: Partial<Row> = {}): Row => ({ id: ID, ownerId: 'owner', status: 'processing', updatedAt: new Date(0), attempts: 1, progress: 0, ...overrides });

function setup(started: Row | null = row()) {
  let stored = started?.progress ?? 0;
  let open = true;
  const store = {
    findOwned: jest.fn(async () => row()),
    start: jest.fn(async () => started),
    fail: jest.fn(async (_key: string, reason: string) => row({ status: 'failed', error: reason })),
    progress: jest.fn(async (_key: string, value: number) => (open ? (stored = Math.max(stored, value)) : null)),
    exists: jest.fn(async () => open),
    claimStale: jest.fn(async () => []),
  } satisfies WorkloadStore<Row>;
  const published: StatusUpdate[] = [];
  const events = { publish: jest.fn(async (update: StatusUpdate) => void published.push(update)) };
  const definition = defineWorkload<Row, RunMessage>({
    resource: 'toy',
    queue: RUN,
    store: class {} as never,
    keyOf: (m) => m.id,
    messageFor: (r) => ({ id: r.id }),
    toStatus: (r) => ({ status: r.status, progress: r.progress, ...(r.error ? { error: r.error } : {}) }),
    attempts: 3,
    sweep: { intervalMs: 1000, staleAfterMs: 1000, batchSize: 10 },
  });
  const registry = new StatusSnapshotRegistry();
  const lifecycle = new WorkloadLifecycle(definition, store, events as unknown as StatusEventPublisher, registry);
  const signal = new AbortController().signal;
  return { lifecycle, store, events, published, registry, signal, cancel: () => (open = false) };
}

describe('WorkloadLifecycle', () => {
  beforeEach(() => {
    for (const level of ['log', 'warn'] as const) jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  describe('the dead-letter policy', () => {
    it('stores a domain error as it is', async () => {
      const { lifecycle, store, published } = setup();
      await lifecycle.deadLettered({ id: ID }, { error: new DomainError('TOY_BAD', 'The file is not a toy.'), attempt: 1 });
      expect(store.fail).toHaveBeenCalledWith(ID, 'The file is not a toy.');
      expect(published).toEqual([expect.objectContaining({ resource: 'toy', id: ID, owner: 'owner', status: 'failed', error: 'The file is not a toy.' })]);
    });

    it.each([
      [Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' }), 'the database, the broker or the storage was unavailable'],
      [new Error('pocketsphinx: segmentation fault in /opt/models/en-us/mdef'), 'an internal error (logged on the server)'],
      [Object.assign(new Error('relation "toys" does not exist'), { code: '42P01' }), 'an internal error (logged on the server)'],
    ])('never stores internal text (%s), only its category', async (error, category) => {
      const { lifecycle, store } = setup();
      await lifecycle.deadLettered({ id: ID }, { error, attempt: 4 });
      const [, reason] = store.fail.mock.calls[0];
      expect(reason).toBe(`Processing failed after 4 attempts: ${category}. It will not be retried.`);
      expect(reason).not.toContain(error.message);
    });

    it('ignores an unreadable message (it names no row)', async () => {
      const { lifecycle, store } = setup();
      await lifecycle.deadLettered(undefined, { error: new Error('x'), attempt: 1 });
      expect(store.fail).not.toHaveBeenCalled();
    });
  });

  describe('run', () => {
    it('starts, works and announces the finished row', async () => {
      const { lifecycle, published, signal } = setup();
      await lifecycle.run({ id: ID }, { signal }, async () => row({ status: 'completed', progress: 100 }));
      expect(published.map((e) => e.status)).toEqual(['processing', 'completed']);
    });

    it('does nothing for a row that is finished, deleted or cancelled (start answers null)', async () => {
      const { lifecycle, published, signal } = setup(null);
      const work = jest.fn();
      await lifecycle.run({ id: ID }, { signal }, work);
      expect(work).not.toHaveBeenCalled();
      expect(published).toEqual([]);
    });

    it('fails a row started more often than its budget instead of working on it', async () => {
      const { lifecycle, store, published, signal } = setup(row({ attempts: 4 }));
      const work = jest.fn();
      await lifecycle.run({ id: ID }, { signal }, work);
      expect(work).not.toHaveBeenCalled();
      expect(store.fail).toHaveBeenCalledWith(ID, exhaustedReason(3));
      expect(published).toEqual([expect.objectContaining({ status: 'failed', error: exhaustedReason(3) })]);
    });

    it('says "retrying" with the attempt on a restart, keeps the percentage and emits only when it rises', async () => {
      const { lifecycle, published, signal } = setup(row({ attempts: 2, progress: 34 }));
      await lifecycle.run({ id: ID }, { signal }, async (run) => {
        for (const value of [5, 10, 30, 34, 40, 60]) await run.progress(value);
        return null;
      });
      expect(published.map(({ progress, stage, attempt }) => ({ progress, stage, attempt }))).toEqual([
        { progress: 34, stage: 'retrying', attempt: 2 },
        { progress: 40, stage: 'retrying', attempt: 2 },
        { progress: 60, stage: 'retrying', attempt: 2 },
      ]);
    });

    it('stops a run whose row was deleted: acked (no throw), nothing written, no final event', async () => {
      const { lifecycle, published, signal, cancel } = setup();
      const write = jest.fn();
      await expect(
        lifecycle.run({ id: ID }, { signal }, async (run) => {
          cancel();
          expect(await run.progress(50)).toBe(false);
          await run.checkpoint();
          write();
          return row({ status: 'completed' });
        }),
      ).resolves.toBeUndefined();
      expect(write).not.toHaveBeenCalled();
      expect(published.map((e) => e.status)).toEqual(['processing']);
    });

    it('lets any other error through to the queue (retry, then dead letter)', async () => {
      const { lifecycle, signal } = setup();
      await expect(lifecycle.run({ id: ID }, { signal }, async () => Promise.reject(new Error('storage down')))).rejects.toThrow('storage down');
    });
  });

  it('emit never throws: a lost event must not turn finished work into a retry', async () => {
    const { lifecycle, events } = setup();
    events.publish.mockRejectedValueOnce(new Error('broker down'));
    await expect(lifecycle.emit(row({ status: 'completed' }))).resolves.toBeUndefined();
  });

  it('registers the snapshot provider: the same fields as the events, and no query for a malformed id', async () => {
    const { lifecycle, store, registry } = setup();
    lifecycle.onModuleInit();
    store.findOwned.mockResolvedValueOnce(row({ attempts: 2, progress: 34 }));
    expect(await registry.snapshot('toy', 'owner', ID)).toEqual({
      type: 'status',
      resource: 'toy',
      id: ID,
      status: 'processing',
      progress: 34,
      stage: 'retrying',
      attempt: 2,
      at: new Date(0).toISOString(),
    });
    expect(await registry.snapshot('toy', 'owner', 'not-a-uuid')).toBeNull();
    expect(store.findOwned).toHaveBeenCalledTimes(1);
    expect(registry.resources()).toEqual(['toy']);
  });
});
