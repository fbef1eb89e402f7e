import { until } from '../../../test/utils/poll';
import type { MessagePublisher } from '../../core/messaging/message-publisher';
import type { EcgEvents } from './ecg-events';
import { EcgSweeper, EXHAUSTED_ERROR } from './ecg-sweeper.service';
import type { EcgRef, EcgRepository } from './ecg.repository';
import { ECG_ANALYSE } from './ecg.messages';

const ref = (pk: string, status: EcgRef['status'] = 'queued'): EcgRef => ({ pk, id: `id-${pk}`, ownerId: 'owner', status });

function setup(options: { stale?: EcgRef[]; exhausted?: EcgRef[] } = {}) {
  const repository = {
    claimStale: jest.fn(async () => options.stale ?? []),
    failExhausted: jest.fn(async () => options.exhausted ?? []),
  };
  const publisher = { publish: jest.fn(async () => undefined) };
  const events = { emit: jest.fn(async () => undefined) };
  const sweeper = new EcgSweeper(repository as unknown as EcgRepository, publisher as unknown as MessagePublisher, events as unknown as EcgEvents, {
    intervalMs: 10,
    staleAfterMs: 500,
    maxRepublishes: 2,
    batchSize: 7,
  });
  return { sweeper, repository, publisher, events };
}

describe('EcgSweeper', () => {
  it('re-publishes the stale ECGs it claimed, with its configured age, budget and batch size', async () => {
    const { sweeper, repository, publisher } = setup({ stale: [ref('a'), ref('b', 'processing')] });

    await expect(sweeper.sweep()).resolves.toEqual({ failed: 0, republished: 2 });

    expect(repository.claimStale).toHaveBeenCalledWith(500, 2, 7);
    expect(publisher.publish.mock.calls).toEqual([
      [ECG_ANALYSE, { ecg_pk: 'a' }],
      [ECG_ANALYSE, { ecg_pk: 'b' }],
    ]);
  });

  it('fails ECGs whose re-publish budget is spent and announces it', async () => {
    const { sweeper, repository, events } = setup({ exhausted: [ref('c', 'failed')] });

    await expect(sweeper.sweep()).resolves.toEqual({ failed: 1, republished: 0 });

    expect(repository.failExhausted).toHaveBeenCalledWith(500, 2, EXHAUSTED_ERROR);
    expect(events.emit).toHaveBeenCalledWith(ref('c', 'failed'), 'failed', EXHAUSTED_ERROR);
  });

  it('carries on past an ECG it cannot publish (the next round takes it again)', async () => {
    const { sweeper, publisher } = setup({ stale: [ref('a'), ref('b')] });
    publisher.publish.mockRejectedValueOnce(new Error('broker down'));
    await expect(sweeper.sweep()).resolves.toEqual({ failed: 0, republished: 1 });
    expect(publisher.publish).toHaveBeenCalledTimes(2);
  });

  it('sweeps on its interval once started, and stops', async () => {
    const { sweeper, repository } = setup();
    sweeper.start();
    await until(() => repository.claimStale.mock.calls.length >= 2, 'two rounds ran');
    await sweeper.stop();
    const calls = repository.claimStale.mock.calls.length;
    expect(calls).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 30));
    expect(repository.claimStale.mock.calls.length).toBe(calls);
  });
});
