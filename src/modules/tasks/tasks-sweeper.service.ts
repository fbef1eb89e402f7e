import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { MessagePublisher } from '../../core/messaging/message-publisher';
import { TASKS_ANONYMISE } from './tasks.messages';
import { PeriodicTask } from '../../core/scheduling/periodic-task';
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
  // this for videos of up to ~1 hour at the measured ~8 frames/s.
  staleAfterMs: 300_000,
  batchSize: 100,
};

/**
 * Re-publishes tasks whose message was lost (publish failed after the upload, or the in-process
 * queue died with its process) and tasks whose worker stopped heart-beating. Claims are atomic
 * (FOR UPDATE SKIP LOCKED), so several sweepers never publish one task twice in a round; a
 * duplicate delivery is harmless anyway (the processor is idempotent). Crash loops end at
 * MAX_TASK_ATTEMPTS.
 */
@Injectable()
export class TasksSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TasksSweeper.name);
  private readonly task: PeriodicTask;
  private readonly options: TasksSweeperOptions;

  constructor(
    private readonly tasks: TasksRepository,
    private readonly publisher: MessagePublisher,
    @Optional() @Inject(TASKS_SWEEPER_OPTIONS) options: Partial<TasksSweeperOptions> = {},
  ) {
    this.options = { ...DEFAULT_TASKS_SWEEPER_OPTIONS, ...options };
    this.task = new PeriodicTask('tasks sweep', this.options.intervalMs, () => this.sweep(), this.logger);
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  // Before any shutdown hook, so the publisher is still open for a round under way.
  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  async sweep(): Promise<number> {
    const stale = await this.tasks.claimStale(this.options.staleAfterMs, this.options.batchSize);
    let republished = 0;
    for (const task of stale) {
      try {
        await this.publisher.publish(TASKS_ANONYMISE, { task_id: task.id });
        republished++;
      } catch (error) {
        this.logger.warn(`could not re-publish task ${task.id}: ${(error as Error).message}`);
      }
    }
    if (stale.length > 0) this.logger.log(`re-published ${republished} of ${stale.length} stuck task(s)`);
    return republished;
  }
}
