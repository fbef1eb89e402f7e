import { syntheticEcg } from '../../../test/factories/ecg-signal.factory';
import { classifyFailure } from '../../core/messaging/messaging.errors';
import { EcgAnalysisService } from './ecg-analysis.service';
import { EcgError } from './ecg.errors';
import type { EcgEvents } from './ecg-events';
import type { EcgRepository, LeadSignal } from './ecg.repository';
import type { EcgEntity, EcgStatus } from './entities/ecg.entity';

const PK = '22222222-2222-4222-8222-222222222222';

function setup(status: EcgStatus | null, options: { samplingRateHz?: number | null; signals?: LeadSignal[] } = {}) {
  const ecg = status && ({ pk: PK, id: 'ecg-1', ownerId: 'owner-1', status, samplingRateHz: options.samplingRateHz ?? null } as EcgEntity);
  const repository = {
    findByPk: jest.fn(async () => ecg),
    markProcessing: jest.fn(async () => true),
    loadSignals: jest.fn(async () => options.signals ?? [{ position: 0, name: 'I', samples: Int32Array.from([1, -1, 1, -1, 1, -1, 0, -1, 0, 1]) }]),
    complete: jest.fn(async () => true),
    fail: jest.fn(async () => (ecg ? { pk: PK, id: ecg.id, ownerId: ecg.ownerId, status: 'failed' } : null)),
  };
  const events = { emit: jest.fn(async (_ecg: object, _status: string, _error?: string) => undefined) };
  const service = new EcgAnalysisService(repository as unknown as EcgRepository, events as unknown as EcgEvents);
  return { service, repository, events };
}

describe('EcgAnalysisService.analyse', () => {
  it('marks a queued ECG processing, stores each lead insights and completes it, announcing both', async () => {
    const { service, repository, events } = setup('queued');

    await service.analyse(PK);

    expect(repository.markProcessing).toHaveBeenCalledWith(PK);
    expect(repository.complete).toHaveBeenCalledWith(PK, {
      leads: [{ position: 0, insights: { zero_crossings: 6, min: -1, max: 1, mean: 0, r_peak_count: null, heart_rate_bpm: null } }],
      heartRateBpm: null,
    });
    expect(events.emit.mock.calls.map((c) => c[1])).toEqual(['processing', 'completed']);
    expect(events.emit).toHaveBeenCalledWith(expect.objectContaining({ id: 'ecg-1', ownerId: 'owner-1' }), 'completed');
  });

  it('keeps lead positions and computes the heart rate when the ECG has a sampling rate', async () => {
    const samples = syntheticEcg({ bpm: 72, samplingRateHz: 500, durationS: 10, seed: 3 });
    const { service, repository } = setup('queued', {
      samplingRateHz: 500,
      signals: [
        { position: 0, name: 'V1', samples },
        { position: 1, name: 'II', samples },
      ],
    });

    await service.analyse(PK);

    const [, written] = repository.complete.mock.calls[0] as unknown as [string, { leads: { position: number }[]; heartRateBpm: number }];
    expect(written.leads.map((l) => l.position)).toEqual([0, 1]);
    expect(written.heartRateBpm).toBeCloseTo(72, 0);
  });

  it('resumes an ECG left processing by a crashed worker without announcing processing again', async () => {
    const { service, repository, events } = setup('processing');
    await service.analyse(PK);
    expect(repository.markProcessing).not.toHaveBeenCalled();
    expect(repository.complete).toHaveBeenCalled();
    expect(events.emit.mock.calls.map((c) => c[1])).toEqual(['completed']);
  });

  it.each([['completed'], ['failed']] as const)('leaves a %s ECG alone (redelivered message)', async (status) => {
    const { service, repository, events } = setup(status);
    await service.analyse(PK);
    expect(repository.loadSignals).not.toHaveBeenCalled();
    expect(repository.complete).not.toHaveBeenCalled();
    expect(events.emit).not.toHaveBeenCalled();
  });

  it('acks a message for an ECG that was deleted meanwhile', async () => {
    const { service, repository } = setup(null);
    await expect(service.analyse(PK)).resolves.toBeUndefined();
    expect(repository.loadSignals).not.toHaveBeenCalled();
  });

  it('announces nothing when a concurrent duplicate delivery completed the ECG first', async () => {
    const { service, repository, events } = setup('processing');
    repository.complete.mockResolvedValueOnce(false);
    await service.analyse(PK);
    expect(events.emit).not.toHaveBeenCalled();
  });

  it('fails for good on a corrupt stored signal (not retryable: dead-lettered at once)', async () => {
    const { service, repository } = setup('queued');
    repository.loadSignals.mockRejectedValueOnce(new RangeError('a stored signal of 5 bytes is not a whole number of Int32 samples'));

    const error = await service.analyse(PK).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EcgError);
    expect(classifyFailure(error)).toBe('dead-letter');
    expect(repository.complete).not.toHaveBeenCalled();
  });

  it('lets a database error through so the message is retried', async () => {
    const { service, repository } = setup('queued');
    repository.loadSignals.mockRejectedValueOnce(new Error('connection terminated'));
    const error = await service.analyse(PK).catch((e: unknown) => e);
    expect(classifyFailure(error)).toBe('retry');
  });
});

describe('EcgAnalysisService.failAnalysis', () => {
  it('records a domain error as it is, and announces the failure', async () => {
    const { service, repository, events } = setup('processing');
    await service.failAnalysis(PK, EcgError.unprocessable('A stored signal is corrupt'), 1);
    expect(repository.fail).toHaveBeenCalledWith(PK, 'A stored signal is corrupt');
    expect(events.emit).toHaveBeenCalledWith(expect.objectContaining({ id: 'ecg-1' }), 'failed', 'A stored signal is corrupt');
  });

  it('records a generic reason, without internal details, for an infrastructure error', async () => {
    const { service, repository } = setup('processing');
    await service.failAnalysis(PK, new Error('connect ECONNREFUSED 10.0.0.5:5432'), 5);
    expect(repository.fail).toHaveBeenCalledWith(PK, 'The ECG could not be analysed after 5 attempts; it will not be retried.');
  });

  it('announces nothing for an ECG that had already finished', async () => {
    const { service, repository, events } = setup('completed');
    repository.fail.mockResolvedValueOnce(null);
    await service.failAnalysis(PK, new Error('x'), 5);
    expect(events.emit).not.toHaveBeenCalled();
  });
});
