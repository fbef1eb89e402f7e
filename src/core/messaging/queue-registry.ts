import { EcgAnalyseMessage } from '../../modules/ecg/ecg.messages';
import { JobIngestMessage } from '../../modules/jobs/jobs.messages';
import { TaskAnonymiseMessage } from '../../modules/tasks/tasks.messages';
import { defineQueue, type QueueDefinition } from './queue-definition';

// The one list of queues. Each feature adds its queue here with its message DTO and retry policy,
// e.g. `jobsIngest: defineQueue({ name: 'jobs.ingest', message: JobIngestMessage, retry: {...} })`.
// The app declares every queue listed here at boot, and the publisher refuses any other.
export const QUEUES = {
  ecgAnalyse: defineQueue({ name: 'ecg.analyse', message: EcgAnalyseMessage, retry: { maxAttempts: 5, backoffMs: 1000, maxBackoffMs: 30000 } }),
  // Ingest is resumable from its checkpoint, so retries are cheap; storage or database outages
  // get about two minutes of back-off before the job is failed.
  jobsIngest: defineQueue({ name: 'jobs.ingest', message: JobIngestMessage, retry: { maxAttempts: 6, backoffMs: 2000, maxBackoffMs: 60000 } }),
  // A corrupt file or a missing engine fails at once (not retryable); only outages are retried.
  tasksAnonymise: defineQueue({ name: 'tasks.anonymise', message: TaskAnonymiseMessage, retry: { maxAttempts: 4, backoffMs: 2000, maxBackoffMs: 30000 } }),
} as const satisfies Record<string, QueueDefinition>;

export const ALL_QUEUES: QueueDefinition[] = Object.values(QUEUES);
