import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { MessagePublisher } from '../../core/messaging/message-publisher';
import { PeriodicTask } from '../../core/scheduling/periodic-task';
import { TRANSCRIPTIONS_TRANSCRIBE } from './transcriptions.messages';
import { TranscriptionsRepository } from './transcriptions.repository';

export interface TranscriptionsSweeperOptions {
  intervalMs: number;
  /** A queued row this old lost its message; a processing one whose heartbeat is this old lost its worker. */
  staleAfterMs: number;
  batchSize: number;
}

export const TRANSCRIPTIONS_SWEEPER_OPTIONS = Symbol('TRANSCRIPTIONS_SWEEPER_OPTIONS');

export const DEFAULT_TRANSCRIPTIONS_SWEEPER_OPTIONS: TranscriptionsSweeperOptions = {
  intervalMs: 15_000,
  // A live worker heart-beats every 10 s while the engine runs (TranscriptionsProcessingService).
  staleAfterMs: 60_000,
  batchSize: 100,
};

/**
 * Re-publishes transcriptions whose message was lost (the publish failed after the row was
 * written, or the in-process queue died with its process) and those whose worker stopped
 * heart-beating. The same shape as the jobs sweeper (a generic core sweeper is being extracted
 * on the platform branch; this one moves onto it then). Claims are atomic (FOR UPDATE SKIP
 * LOCKED); a duplicate delivery only redoes the same work, and crash loops end at the
 * processing service's attempt budget.
 */
@Injectable()
export class TranscriptionsSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TranscriptionsSweeper.name);
  private readonly task: PeriodicTask;
  private readonly options: TranscriptionsSweeperOptions;

  constructor(
    private readonly transcriptions: TranscriptionsRepository,
    private readonly publisher: MessagePublisher,
    @Optional() @Inject(TRANSCRIPTIONS_SWEEPER_OPTIONS) options: Partial<TranscriptionsSweeperOptions> = {},
  ) {
    this.options = { ...DEFAULT_TRANSCRIPTIONS_SWEEPER_OPTIONS, ...options };
    this.task = new PeriodicTask('transcriptions sweep', this.options.intervalMs, () => this.sweep(), this.logger);
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  // Before any shutdown hook, so the publisher is still open for a round under way.
  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  async sweep(): Promise<number> {
    const stale = await this.transcriptions.claimStale(this.options.staleAfterMs, this.options.batchSize);
    let republished = 0;
    for (const row of stale) {
      try {
        await this.publisher.publish(TRANSCRIPTIONS_TRANSCRIBE, { transcription_id: row.id });
        republished++;
      } catch (error) {
        this.logger.warn(`could not re-publish transcription ${row.id}: ${(error as Error).message}`);
      }
    }
    if (stale.length > 0) this.logger.log(`re-published ${republished} of ${stale.length} stuck transcription(s)`);
    return republished;
  }
}
