import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { MessagePublisher } from '../../core/messaging/message-publisher';
import { PeriodicTask } from '../../core/scheduling/periodic-task';
import { EcgEvents } from './ecg-events';
import { EcgRepository } from './ecg.repository';
import { ECG_ANALYSE } from './ecg.messages';

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
export class EcgSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EcgSweeper.name);
  private readonly options: EcgSweeperOptions;
  private readonly task: PeriodicTask;

  constructor(
    private readonly ecgs: EcgRepository,
    private readonly publisher: MessagePublisher,
    private readonly events: EcgEvents,
    @Optional() @Inject(ECG_SWEEPER_OPTIONS) options: Partial<EcgSweeperOptions> = {},
  ) {
    this.options = { ...DEFAULT_ECG_SWEEPER_OPTIONS, ...options };
    this.task = new PeriodicTask('ECG sweep', this.options.intervalMs, () => this.sweep(), this.logger);
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  // onModuleDestroy runs before any beforeApplicationShutdown hook, so the publisher is still open
  // for a sweep that is under way.
  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  start(): void {
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** One round: fail what is past its budget, then re-publish what is stale. Answers how many of each. */
  async sweep(): Promise<{ failed: number; republished: number }> {
    const { staleAfterMs, maxRepublishes, batchSize } = this.options;
    const failed = await this.ecgs.failExhausted(staleAfterMs, maxRepublishes, EXHAUSTED_ERROR);
    for (const ecg of failed) {
      this.logger.warn(`ECG ${ecg.id} (${ecg.pk}) failed: still processing after ${maxRepublishes} re-publications`);
      await this.events.emit(ecg, 'failed', EXHAUSTED_ERROR);
    }
    const stale = await this.ecgs.claimStale(staleAfterMs, maxRepublishes, batchSize);
    let republished = 0;
    for (const ecg of stale) {
      try {
        await this.publisher.publish(ECG_ANALYSE, { ecg_pk: ecg.pk });
        republished++;
      } catch (error) {
        // Claimed but not published: the next round after the back-off takes it again.
        this.logger.warn(`could not re-publish ECG ${ecg.pk}: ${(error as Error).message}`);
      }
    }
    if (stale.length > 0) this.logger.log(`re-published ${republished} of ${stale.length} stuck ECG(s)`);
    return { failed: failed.length, republished };
  }
}
