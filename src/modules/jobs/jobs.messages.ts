import { IsUUID } from 'class-validator';
import { defineQueue } from '../../core/messaging/queue-definition';

/** `jobs.ingest`: the job to ingest; everything else is read from its row. */
export class JobIngestMessage {
  @IsUUID()
  job_id: string;
}

// Ingest is resumable from its checkpoint, so retries are cheap; storage or database outages get
// about two minutes of back-off before the job is failed.
export const JOBS_INGEST = defineQueue({
  name: 'jobs.ingest',
  message: JobIngestMessage,
  retry: { maxAttempts: 6, backoffMs: 2000, maxBackoffMs: 60000 },
});
