import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { MessagePublisher } from '../messaging/message-publisher';
import { PeriodicTask } from '../scheduling/periodic-task';
import { exhaustedReason } from './failure-policy';
import type { SweepTimings, WorkloadRow } from './workload';
import type { WorkloadLifecycle } from './workload-lifecycle';

/**
 * Recovers a workload's work whose message was lost: the row was committed but the publish failed,
 * the in-process queue died with its process, or the worker running it crashed. Every
 * `sweep.intervalMs` a round (never two at once) first fails what is past its budget (stores with
 * `failExhausted`), then re-publishes what is stale (`claimStale`, atomic: several processes never
 * re-publish one row in the same round). A publish that fails is logged and the row is left for
 * the next round. One per workload (workloadProviders); starts on application bootstrap, stops on
 * module destroy, waiting for a round under way while the publisher is still open.
 */
export class WorkloadSweeper<Row extends WorkloadRow, Message extends object> implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger: Logger;
  private readonly task: PeriodicTask;
  private readonly timings: SweepTimings;

  /** `timings` override the workload's own (tests sweep faster). */
  constructor(
    private readonly workload: WorkloadLifecycle<Row, Message>,
    private readonly publisher: MessagePublisher,
    timings: Partial<SweepTimings> = {},
  ) {
    const { resource, sweep } = workload.definition;
    this.timings = { ...sweep, ...timings };
    this.logger = new Logger(`WorkloadSweeper:${resource}`);
    this.task = new PeriodicTask(`${resource} sweep`, this.timings.intervalMs, () => this.sweep(), this.logger);
  }

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

  /** One round now (timings overridable, e.g. `staleAfterMs: 0` in tests); answers how many rows it failed and re-published. */
  async sweep(overrides: Partial<SweepTimings> = {}): Promise<{ failed: number; republished: number }> {
    const { definition, store, resource } = this.workload;
    const { staleAfterMs, batchSize } = { ...this.timings, ...overrides };
    const failed = store.failExhausted ? await store.failExhausted(staleAfterMs, definition.attempts, exhaustedReason(definition.attempts)) : [];
    for (const row of failed) {
      this.logger.warn(`${resource} ${row.id} failed: its retry budget is spent`);
      await this.workload.emit(row);
    }
    const stale = await store.claimStale(staleAfterMs, batchSize, definition.attempts);
    let republished = 0;
    for (const row of stale) {
      try {
        await this.publisher.publish(definition.queue, definition.messageFor(row));
        republished++;
      } catch (error) {
        // Claimed but not published: its claim ages like any other row, so a later round takes it again.
        this.logger.warn(`could not re-publish ${resource} ${row.id}: ${(error as Error).message}`);
      }
    }
    if (stale.length > 0) this.logger.log(`re-published ${republished} of ${stale.length} stuck row(s) to ${definition.queue.name}`);
    return { failed: failed.length, republished };
  }
}
