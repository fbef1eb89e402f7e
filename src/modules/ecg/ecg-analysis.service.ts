import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../core/errors/domain-error';
import { runAnalyses } from './analyses';
import type { LeadResult } from './analyses/ecg-analysis';
import { EcgError } from './ecg.errors';
import { EcgEvents } from './ecg-events';
import { EcgRepository } from './ecg.repository';

/** The worker side: runs the analysis registry over a stored ECG and records the outcome. */
@Injectable()
export class EcgAnalysisService {
  private readonly logger = new Logger(EcgAnalysisService.name);

  constructor(
    private readonly ecgs: EcgRepository,
    private readonly events: EcgEvents,
  ) {}

  /**
   * Idempotent, so a redelivered or duplicated message is harmless: a deleted ECG or a finished one
   * is left alone, and one left `processing` by a crashed worker is simply analysed again (the
   * analyses are pure, and only the first completion is written).
   */
  async analyse(ecgPk: string): Promise<void> {
    const ecg = await this.ecgs.findByPk(ecgPk);
    if (!ecg || ecg.status === 'completed' || ecg.status === 'failed') return;
    if (ecg.status === 'queued' && (await this.ecgs.markProcessing(ecgPk))) await this.events.emit(ecg, 'processing');

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

    const completed = await this.ecgs.complete(ecgPk, {
      leads: result.leads.map(({ name: _name, number_of_samples: _count, ...insights }, index) => ({
        position: signals[index].position,
        insights: insights as LeadResult,
      })),
      heartRateBpm: result.summary.heart_rate_bpm ?? null,
    });
    if (completed) await this.events.emit(ecg, 'completed');
  }

  /**
   * Called once the messaging layer gave up on the ECG's message: the row becomes `failed` with a
   * reason a user can read. Internal details (driver messages, hosts) stay in the logs.
   */
  async failAnalysis(ecgPk: string, cause: Error, attempts: number): Promise<void> {
    const reason =
      cause instanceof DomainError
        ? cause.message
        : `The ECG could not be analysed after ${attempts} attempt${attempts === 1 ? '' : 's'}; it will not be retried.`;
    const failed = await this.ecgs.fail(ecgPk, reason);
    if (!failed) return;
    this.logger.warn(`ECG ${failed.id} (${ecgPk}) failed: ${cause.message}`);
    await this.events.emit(failed, 'failed', reason);
  }
}
