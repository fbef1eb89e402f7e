import { Injectable } from '@nestjs/common';
import type { WorkRun } from '../../core/workload/workload-lifecycle';
import { runAnalyses } from './analyses';
import type { LeadResult } from './analyses/ecg-analysis';
import { EcgError } from './ecg.errors';
import { EcgRepository } from './ecg.repository';
import type { EcgEntity } from './entities/ecg.entity';

/** The worker side: runs the analysis registry over a stored ECG and records the outcome. */
@Injectable()
export class EcgAnalysisService {
  constructor(private readonly ecgs: EcgRepository) {}

  /**
   * One delivery's work (the lifecycle started the ECG, leaving deleted and finished ones alone).
   * Idempotent, so a redelivered or duplicated message is harmless: one left `processing` by a
   * crashed worker is simply analysed again (the analyses are pure, and only the first completion
   * is written). Answers the completed ECG, or null when another delivery finished it first.
   */
  async analyse({ row: ecg }: WorkRun<EcgEntity>): Promise<EcgEntity | null> {
    const ecgPk = ecg.pk;

    const signals = await this.ecgs.loadSignals(ecgPk).catch((error: unknown) => {
      // A signal that cannot be decoded will not decode on the next attempt either.
      if (error instanceof RangeError) throw EcgError.unprocessable(`A stored signal is corrupt: ${error.message}`);
      throw error;
    });
    let result: ReturnType<typeof runAnalyses>;
    try {
      result = runAnalyses(signals, { samplingRateHz: ecg.samplingRateHz ?? undefined });
    } catch (error) {
      // A bug in an analysis is deterministic: retrying only delays the failure.
      throw EcgError.unprocessable(`The analysis failed: ${(error as Error).message}`);
    }

    return this.ecgs.complete(ecgPk, {
      leads: result.leads.map(({ name: _name, number_of_samples: _count, ...insights }, index) => ({
        position: signals[index].position,
        insights: insights as LeadResult,
      })),
      heartRateBpm: result.summary.heart_rate_bpm ?? null,
    });
  }
}
