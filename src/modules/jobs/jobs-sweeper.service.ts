import { Inject, Injectable, Optional } from '@nestjs/common';
import { MessagePublisher } from '../../core/messaging/message-publisher';
import { StaleWorkSweeper } from '../../core/scheduling/stale-work-sweeper';
import type { JobEntity } from './entities/job.entity';
import { JobsRepository } from './jobs.repository';
import { JobIngestMessage, JOBS_INGEST } from './jobs.messages';

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
 * the ingest's attempt budget, so there is no `failExhausted` here.
 */
@Injectable()
export class JobsSweeper extends StaleWorkSweeper<JobEntity, JobIngestMessage> {
  private readonly options: JobsSweeperOptions;

  constructor(
    private readonly jobs: JobsRepository,
    publisher: MessagePublisher,
    @Optional() @Inject(JOBS_SWEEPER_OPTIONS) options: Partial<JobsSweeperOptions> = {},
  ) {
    const resolved = { ...DEFAULT_JOBS_SWEEPER_OPTIONS, ...options };
    super(publisher, JOBS_INGEST, { name: 'jobs sweep', intervalMs: resolved.intervalMs });
    this.options = resolved;
  }

  protected claimStale(): Promise<JobEntity[]> {
    return this.jobs.claimStale(this.options.staleAfterMs, this.options.batchSize);
  }

  protected messageFor(job: JobEntity): JobIngestMessage {
    return { job_id: job.id };
  }

  protected describe(job: JobEntity): string {
    return `job ${job.id}`;
  }
}
