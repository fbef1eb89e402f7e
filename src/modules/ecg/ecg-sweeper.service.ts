import { Inject, Injectable, Optional } from '@nestjs/common';
import { MessagePublisher } from '../../core/messaging/message-publisher';
import { StaleWorkSweeper } from '../../core/scheduling/stale-work-sweeper';
import { EcgEvents } from './ecg-events';
import { EcgRepository, type EcgRef } from './ecg.repository';
import { ECG_ANALYSE, EcgAnalyseMessage } from './ecg.messages';

export interface EcgSweeperOptions {
  /** How often to look for stuck ECGs. */
  intervalMs: number;
  /** An unfinished ECG untouched this long is presumed lost (its message, or the worker running it). */
  staleAfterMs: number;
  /** Re-publications of an ECG stuck in `processing` before it is failed. */
  maxRepublishes: number;
  /** ECGs claimed per tick, so that a long outage is worked off without one huge statement. */
  batchSize: number;
}

export const ECG_SWEEPER_OPTIONS = Symbol('ECG_SWEEPER_OPTIONS');

export const DEFAULT_ECG_SWEEPER_OPTIONS: EcgSweeperOptions = {
  intervalMs: 15_000,
  // Analysing even a 12-lead, 60 s ECG takes well under a second; a minute is far past normal.
  staleAfterMs: 60_000,
  maxRepublishes: 3,
  batchSize: 100,
};

export const EXHAUSTED_ERROR = 'Processing did not finish: the worker running it stopped several times. It will not be retried.';

/**
 * Re-publishes ECGs whose message was lost: the API committed the row but the publish failed, or
 * the in-process queue died with its process, or a worker crashed mid-analysis. Runs in every
 * process that loads the module; claims are atomic (see EcgRepository.claimStale), so several
 * sweepers never publish the same ECG twice in one round. An ECG stuck in `processing` past its
 * budget is failed, so a message that crashes its worker cannot loop forever.
 */
@Injectable()
export class EcgSweeper extends StaleWorkSweeper<EcgRef, EcgAnalyseMessage> {
  private readonly options: EcgSweeperOptions;

  constructor(
    private readonly ecgs: EcgRepository,
    publisher: MessagePublisher,
    private readonly events: EcgEvents,
    @Optional() @Inject(ECG_SWEEPER_OPTIONS) options: Partial<EcgSweeperOptions> = {},
  ) {
    const resolved = { ...DEFAULT_ECG_SWEEPER_OPTIONS, ...options };
    super(publisher, ECG_ANALYSE, { name: 'ECG sweep', intervalMs: resolved.intervalMs });
    this.options = resolved;
  }

  protected claimStale(): Promise<EcgRef[]> {
    const { staleAfterMs, maxRepublishes, batchSize } = this.options;
    return this.ecgs.claimStale(staleAfterMs, maxRepublishes, batchSize);
  }

  protected override failExhausted(): Promise<EcgRef[]> {
    const { staleAfterMs, maxRepublishes } = this.options;
    return this.ecgs.failExhausted(staleAfterMs, maxRepublishes, EXHAUSTED_ERROR);
  }

  protected override onFailed(ecg: EcgRef): Promise<void> {
    return this.events.emit(ecg, 'failed', EXHAUSTED_ERROR);
  }

  protected messageFor(ecg: EcgRef): EcgAnalyseMessage {
    return { ecg_pk: ecg.pk };
  }

  protected describe(ecg: EcgRef): string {
    return `ECG ${ecg.id} (${ecg.pk})`;
  }
}
