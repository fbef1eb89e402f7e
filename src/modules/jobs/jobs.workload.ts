import { defineWorkload } from '../../core/workload/workload';
import type { JobEntity } from './entities/job.entity';
import { JobIngestMessage, JOBS_INGEST } from './jobs.messages';
import { JobsRepository } from './jobs.repository';

/** Log ingestion as a workload: `job` events and snapshots, the `jobs.ingest` sweeper and its budget. */
export const JOBS_WORKLOAD = defineWorkload<JobEntity, JobIngestMessage>({
  resource: 'job',
  queue: JOBS_INGEST,
  store: JobsRepository,
  keyOf: (message) => message.job_id,
  messageFor: (job) => ({ job_id: job.id }),
  toStatus: (job) => ({
    status: job.status,
    progress: job.progress,
    counts: { lines_read: job.linesRead, entries_ingested: job.entriesIngested, lines_rejected: job.linesRejected },
    ...(job.error ? { error: job.error } : {}),
  }),
  startStage: 'started',
  // A redelivered job resumes after its last committed batch rather than starting over.
  restartStage: 'resumed',
  // Starts in a row without a committed batch (each commit resets the count): crash loops end here.
  attempts: 10,
  sweep: {
    intervalMs: 15_000,
    // A live worker checkpoints (and so heart-beats) at least every second, even on slow files.
    staleAfterMs: 60_000,
    batchSize: 100,
  },
});
