import { Injectable } from '@nestjs/common';
import type { WorkRun } from '../../core/workload/workload-lifecycle';
import type { LeadResult } from './analyses/ecg-analysis';
import { EcgAnalysisEngine } from './engine/ecg-analysis-engine';
import { EcgError } from './ecg.errors';
import { EcgRepository } from './ecg.repository';
import type { EcgEntity } from './entities/ecg.entity';
import { RecentSignals } from './recent-signals';

/** The worker side: runs the analysis registry over a stored ECG and records the outcome. */
@Injectable()
export class EcgAnalysisService {
  constructor(
    private readonly ecgs: EcgRepository,
    private readonly engine: EcgAnalysisEngine,
    private readonly recentSignals: RecentSignals,
  ) {}

  /**
   * One delivery's work (the lifecycle started the ECG, leaving deleted and finished ones alone).
   * Idempotent, so a redelivered or duplicated message is harmless: one left `processing` by a
   * crashed worker is simply analysed again (the analyses are pure, and only the first completion
   * is written). Answers the completed ECG, or null when another delivery finished it first.
   */
  async analyse({ row: ecg }: WorkRun<EcgEntity>): Promise<EcgEntity | null> {
    const ecgPk = ecg.pk;

    // Submitted to this same process moments ago: no need to read back what was just written.
    const signals = this.recentSignals.take(ecgPk) ?? await this.ecgs.loadSignals(ecgPk).catch((error: unknown) => {
      // A signal that cannot be decoded will not decode on the next attempt either.
      if (error instanceof RangeError) throw EcgError.unprocessable(`A stored signal is corrupt: ${error.message}`);
      throw error;
    });
    // A thread that dies (out of memory) rejects and the message is retried; an analysis that
    // throws is a deterministic bug: retrying only delays the failure.
    const outcome = await this.engine.run({
      leads: signals.map(({ name, samples }) => ({ name, samples })),
      samplingRateHz: ecg.samplingRateHz ?? undefined,
    });
    if (!outcome.ok) throw EcgError.unprocessable(`The analysis failed: ${outcome.message}`);
    const result = outcome.result;

    return this.ecgs.complete(ecgPk, {
      leads: result.leads.map(({ name: _name, number_of_samples: _count, ...insights }, index) => ({
        position: signals[index].position,
        insights: insights as LeadResult,
      })),
      heartRateBpm: result.summary.heart_rate_bpm ?? null,
    });
  }
}
