import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { MessagePublisher } from '../../core/messaging/message-publisher';
import { PeriodicTask } from '../../core/scheduling/periodic-task';
import { JobsRepository } from './jobs.repository';
import { JOBS_INGEST } from './jobs.messages';

export interface JobsSweeperOptions {
  intervalMs: number;
  /** A queued job this old lost its message; a processing one whose heartbeat is this old lost its worker. */
  staleAfterMs: number;
  batchSize: number;
}

export const JOBS_SWEEPER_OPTIONS = Symbol('JOBS_SWEEPER_OPTIONS');

export const DEFAULT_JOBS_SWEEPER_OPTIONS: JobsSweeperOptions = {
  intervalMs: 15_000,
  // A live worker checkpoints (and so heart-beats) at least every second, even on slow files.
  staleAfterMs: 60_000,
  batchSize: 100,
};

/**
 * Re-publishes jobs whose message was lost (publish failed after the row was written, or the
 * in-process queue died with its process) and jobs whose worker stopped heart-beating. Claims
 * are atomic (FOR UPDATE SKIP LOCKED), so several sweepers never publish one job twice in a
 * round; a duplicate delivery is harmless anyway (the checkpoint decides). Crash loops end at
 * the ingest's attempt budget.
 */
@Injectable()
export class JobsSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobsSweeper.name);
  private readonly task: PeriodicTask;
  private readonly options: JobsSweeperOptions;

  constructor(
    private readonly jobs: JobsRepository,
    private readonly publisher: MessagePublisher,
    @Optional() @Inject(JOBS_SWEEPER_OPTIONS) options: Partial<JobsSweeperOptions> = {},
  ) {
    this.options = { ...DEFAULT_JOBS_SWEEPER_OPTIONS, ...options };
    this.task = new PeriodicTask('jobs sweep', this.options.intervalMs, () => this.sweep(), this.logger);
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  // Before any shutdown hook, so the publisher is still open for a round under way.
  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  async sweep(): Promise<number> {
    const stale = await this.jobs.claimStale(this.options.staleAfterMs, this.options.batchSize);
    let republished = 0;
    for (const job of stale) {
      try {
        await this.publisher.publish(JOBS_INGEST, { job_id: job.id });
        republished++;
      } catch (error) {
        this.logger.warn(`could not re-publish job ${job.id}: ${(error as Error).message}`);
      }
    }
    if (stale.length > 0) this.logger.log(`re-published ${republished} of ${stale.length} stuck job(s)`);
    return republished;
  }
}
