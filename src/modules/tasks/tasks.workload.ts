import { defineWorkload } from '../../core/workload/workload';
import type { TaskEntity } from './entities/task.entity';
import { TaskAnonymiseMessage, TASKS_ANONYMISE } from './tasks.messages';
import { TasksRepository } from './tasks.repository';

/** Anonymisation as a workload: `task` events and snapshots, the `tasks.anonymise` sweeper and its budget. */
export const TASKS_WORKLOAD = defineWorkload<TaskEntity, TaskAnonymiseMessage>({
  resource: 'task',
  queue: TASKS_ANONYMISE,
  store: TasksRepository,
  keyOf: (message) => message.task_id,
  messageFor: (task) => ({ task_id: task.id }),
  toStatus: (task) => ({
    status: task.status,
    ...(task.status === 'processing' || task.status === 'processed' ? { progress: task.progress } : {}),
    ...(task.status === 'processed' ? { counts: Object.fromEntries((task.counts ?? []).map((c) => [c.objectType, c.count])) } : {}),
    ...(task.error ? { error: task.error } : {}),
  }),
  // Starts without finishing (crash loops on a poisonous file).
  attempts: 5,
  sweep: {
    intervalMs: 15_000,
    // An image takes seconds; a video heart-beats every 5 % of its frames, which stays well under
    // this for videos of up to ~1 hour at the measured frame rates.
    staleAfterMs: 300_000,
    batchSize: 100,
  },
});
