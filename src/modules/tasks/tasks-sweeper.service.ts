import { Inject, Injectable, Optional } from '@nestjs/common';
import { MessagePublisher } from '../../core/messaging/message-publisher';
import { StaleWorkSweeper } from '../../core/scheduling/stale-work-sweeper';
import type { TaskEntity } from './entities/task.entity';
import { TaskAnonymiseMessage, TASKS_ANONYMISE } from './tasks.messages';
import { TasksRepository } from './tasks.repository';

export interface TasksSweeperOptions {
  intervalMs: number;
  /** A queued task this old lost its message; a processing one whose heartbeat is this old lost its worker. */
  staleAfterMs: number;
  batchSize: number;
}

export const TASKS_SWEEPER_OPTIONS = Symbol('TASKS_SWEEPER_OPTIONS');

export const DEFAULT_TASKS_SWEEPER_OPTIONS: TasksSweeperOptions = {
  intervalMs: 15_000,
  // An image takes seconds; a video heart-beats every 5 % of its frames, which stays well under
  // this for videos of up to ~1 hour at the measured frame rates.
  staleAfterMs: 300_000,
  batchSize: 100,
};

/**
 * Re-publishes tasks whose message was lost (publish failed after the upload, or the in-process
 * queue died with its process) and tasks whose worker stopped heart-beating. Claims are atomic
 * (FOR UPDATE SKIP LOCKED), so several sweepers never publish one task twice in a round; a
 * duplicate delivery is harmless anyway (the processor is idempotent). Crash loops end at
 * MAX_TASK_ATTEMPTS in the processor.
 */
@Injectable()
export class TasksSweeper extends StaleWorkSweeper<TaskEntity, TaskAnonymiseMessage> {
  private readonly options: TasksSweeperOptions;

  constructor(
    private readonly tasks: TasksRepository,
    publisher: MessagePublisher,
    @Optional() @Inject(TASKS_SWEEPER_OPTIONS) options: Partial<TasksSweeperOptions> = {},
  ) {
    const resolved = { ...DEFAULT_TASKS_SWEEPER_OPTIONS, ...options };
    super(publisher, TASKS_ANONYMISE, { name: 'tasks sweep', intervalMs: resolved.intervalMs });
    this.options = resolved;
  }

  protected claimStale(): Promise<TaskEntity[]> {
    return this.tasks.claimStale(this.options.staleAfterMs, this.options.batchSize);
  }

  protected messageFor(task: TaskEntity): TaskAnonymiseMessage {
    return { task_id: task.id };
  }

  protected describe(task: TaskEntity): string {
    return `task ${task.id}`;
  }
}
