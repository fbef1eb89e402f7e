import { IsUUID } from 'class-validator';
import { defineQueue } from '../../core/messaging/queue-definition';

/**
 * `tasks.anonymise`: only the task's id. The processor is stateless: what to hide, how, and
 * where the input is are read from the task's row, so a message can never disagree with it.
 */
export class TaskAnonymiseMessage {
  @IsUUID()
  task_id: string;
}

// A corrupt file or a missing engine fails at once (not retryable); only outages are retried.
export const TASKS_ANONYMISE = defineQueue({
  name: 'tasks.anonymise',
  message: TaskAnonymiseMessage,
  retry: { maxAttempts: 4, backoffMs: 2000, maxBackoffMs: 30000 },
});
