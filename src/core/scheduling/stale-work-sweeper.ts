import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { MessagePublisher } from '../messaging/message-publisher';
import type { QueueDefinition } from '../messaging/queue-definition';
import { PeriodicTask } from './periodic-task';

/**
 * Recovers a feature's background work whose message was lost: the row was committed but the
 * publish failed, the in-process queue died with its process, or the worker running it crashed.
 * Every `intervalMs` a round (never two at once) first fails what is past its budget
 * (`failExhausted`, optional, announced through `onFailed`), then re-publishes what is stale
 * (`claimStale`). A publish that fails is logged and the row is left for the next round.
 *
 * Subclass it as the feature's `@Injectable()` sweeper; it starts on application bootstrap and
 * stops on module destroy, waiting for a round under way while the publisher is still open:
 *
 * ```ts
 * @Injectable()
 * export class TasksSweeper extends StaleWorkSweeper<TaskRef, TaskRunMessage> {
 *   constructor(private readonly tasks: TasksRepository, publisher: MessagePublisher) {
 *     super(publisher, TASKS_RUN, { name: 'tasks sweep', intervalMs: 15_000 });
 *   }
 *   // Atomic (UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING), so several
 *   // processes never re-publish one row in the same round.
 *   protected claimStale() { return this.tasks.claimStale(60_000, 100); }
 *   protected messageFor(task: TaskRef) { return { task_id: task.id }; }
 *   protected describe(task: TaskRef) { return `task ${task.id}`; }
 * }
 * ```
 */
export abstract class StaleWorkSweeper<Row, Message extends object> implements OnApplicationBootstrap, OnModuleDestroy {
  protected readonly logger: Logger;
  private readonly task: PeriodicTask;

  constructor(
    private readonly publisher: MessagePublisher,
    private readonly queue: QueueDefinition<Message>,
    { name, intervalMs }: { name: string; intervalMs: number },
  ) {
    this.logger = new Logger(new.target.name);
    this.task = new PeriodicTask(name, intervalMs, () => this.sweep(), this.logger);
  }

  /** Claims (atomically) the rows whose work looks lost: queued too long, or processing without a live worker. */
  protected abstract claimStale(): Promise<Row[]>;

  /** The message that restarts a row's work. */
  protected abstract messageFor(row: Row): Message;

  /** A row in logs, e.g. `ECG ecg-1 (pk)`. */
  protected abstract describe(row: Row): string;

  /** Fails (and answers) rows past their retry budget, so a message that kills its worker cannot loop. None by default. */
  protected async failExhausted(): Promise<Row[]> {
    return [];
  }

  /** Announces a row failed by `failExhausted` (e.g. a realtime status event). Nothing by default. */
  protected async onFailed(_row: Row): Promise<void> {}

  onApplicationBootstrap(): void {
    this.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.stop();
  }

  start(): void {
    this.task.start();
  }

  /** Stops the timer and waits for a round under way. */
  stop(): Promise<void> {
    return this.task.stop();
  }

  /** One round now; answers how many rows it failed and re-published. */
  async sweep(): Promise<{ failed: number; republished: number }> {
    const failed = await this.failExhausted();
    for (const row of failed) {
      this.logger.warn(`${this.describe(row)} failed: its retry budget is spent`);
      await this.onFailed(row);
    }
    const stale = await this.claimStale();
    let republished = 0;
    for (const row of stale) {
      try {
        await this.publisher.publish(this.queue, this.messageFor(row));
        republished++;
      } catch (error) {
        // Claimed but not published: its claim ages like any other row, so a later round takes it again.
        this.logger.warn(`could not re-publish ${this.describe(row)}: ${(error as Error).message}`);
      }
    }
    if (stale.length > 0) this.logger.log(`re-published ${republished} of ${stale.length} stuck row(s) to ${this.queue.name}`);
    return { failed: failed.length, republished };
  }
}
