import { syntheticEcg } from '../../../test/factories/ecg-signal.factory';
import { classifyFailure } from '../../core/messaging/messaging.errors';
import type { WorkRun } from '../../core/workload/workload-lifecycle';
import { EcgAnalysisService } from './ecg-analysis.service';
import { EcgError } from './ecg.errors';
import type { EcgRepository, LeadSignal } from './ecg.repository';
import type { EcgAnalysisEngine } from './engine/ecg-analysis-engine';
import analyseEcg from './engine/ecg-analysis.worker';
import type { EcgEntity } from './entities/ecg.entity';
import { RecentSignals } from './recent-signals';

const PK = '22222222-2222-4222-8222-222222222222';

function setup(options: { samplingRateHz?: number | null; signals?: LeadSignal[] } = {}) {
  const ecg = { pk: PK, id: 'ecg-1', ownerId: 'owner-1', status: 'processing', samplingRateHz: options.samplingRateHz ?? null } as EcgEntity;
  const repository = {
    loadSignals: jest.fn(async () => options.signals ?? [{ position: 0, name: 'I', samples: Int32Array.from([1, -1, 1, -1, 1, -1, 0, -1, 0, 1]) }]),
    complete: jest.fn(async (): Promise<EcgEntity | null> => ({ ...ecg, status: 'completed' }) as EcgEntity),
  };
  // The thread's entry point, called in this thread: what runs there is the same function.
  const engine = { run: jest.fn(async (job: Parameters<typeof analyseEcg>[0]) => analyseEcg(job)) };
  const recentSignals = new RecentSignals();
  const service = new EcgAnalysisService(repository as unknown as EcgRepository, engine as unknown as EcgAnalysisEngine, recentSignals);
  // A delivery as the workload lifecycle hands it over: the ECG started (processing).
  const run = { row: ecg, key: PK, signal: new AbortController().signal, progress: jest.fn(), checkpoint: jest.fn() } as WorkRun<EcgEntity>;
  return { service, repository, engine, recentSignals, run };
}

describe('EcgAnalysisService.analyse', () => {
  it('stores each lead insights and answers the completed ECG', async () => {
    const { service, repository, run } = setup();

    await expect(service.analyse(run)).resolves.toMatchObject({ id: 'ecg-1', status: 'completed' });

    expect(repository.complete).toHaveBeenCalledWith(PK, {
      leads: [{ position: 0, insights: { zero_crossings: 6, min: -1, max: 1, mean: 0, r_peak_count: null, heart_rate_bpm: null } }],
      heartRateBpm: null,
    });
  });

  it('keeps lead positions and computes the heart rate when the ECG has a sampling rate', async () => {
    const samples = syntheticEcg({ bpm: 72, samplingRateHz: 500, durationS: 10, seed: 3 });
    const { service, repository, run } = setup({
      samplingRateHz: 500,
      signals: [
        { position: 0, name: 'V1', samples },
        { position: 1, name: 'II', samples },
      ],
    });

    await service.analyse(run);

    const [, written] = repository.complete.mock.calls[0] as unknown as [string, { leads: { position: number }[]; heartRateBpm: number }];
    expect(written.leads.map((l) => l.position)).toEqual([0, 1]);
    expect(written.heartRateBpm).toBeCloseTo(72, 0);
  });

  it('answers null when a concurrent duplicate delivery completed the ECG first', async () => {
    const { service, repository, run } = setup();
    repository.complete.mockResolvedValueOnce(null);
    await expect(service.analyse(run)).resolves.toBeNull();
  });

  it('fails for good on a corrupt stored signal (not retryable: dead-lettered at once)', async () => {
    const { service, repository, run } = setup();
    repository.loadSignals.mockRejectedValueOnce(new RangeError('a stored signal of 5 bytes is not a whole number of Int32 samples'));

    const error = await service.analyse(run).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EcgError);
    expect(classifyFailure(error)).toBe('dead-letter');
    expect(repository.complete).not.toHaveBeenCalled();
  });

  it('lets a database error through so the message is retried', async () => {
    const { service, repository, run } = setup();
    repository.loadSignals.mockRejectedValueOnce(new Error('connection terminated'));
    const error = await service.analyse(run).catch((e: unknown) => e);
    expect(classifyFailure(error)).toBe('retry');
  });

  it('fails for good when an analysis throws (a deterministic bug), and retries when the thread itself fails', async () => {
    const { service, engine, run } = setup();
    engine.run.mockResolvedValueOnce({ ok: false, message: 'boom' });
    const bug = await service.analyse(run).catch((e: unknown) => e);
    expect(bug).toBeInstanceOf(EcgError);
    expect(classifyFailure(bug)).toBe('dead-letter');

    engine.run.mockRejectedValueOnce(new Error('worker thread exited'));
    const crash = await service.analyse(run).catch((e: unknown) => e);
    expect(classifyFailure(crash)).toBe('retry');
  });

  it('takes the signals submitted to this process instead of reading them back', async () => {
    const { service, repository, recentSignals, run } = setup();
    recentSignals.put(PK, [{ position: 0, name: 'I', samples: Int32Array.from([1, -1, 1, -1]) }]);

    await service.analyse(run);

    expect(repository.loadSignals).not.toHaveBeenCalled();
    const [, written] = repository.complete.mock.calls[0] as unknown as [string, { leads: { insights: { zero_crossings: number } }[] }];
    expect(written.leads[0].insights.zero_crossings).toBe(3);
  });
});
