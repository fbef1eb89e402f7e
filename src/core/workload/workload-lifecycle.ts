import { Logger, type OnModuleInit } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { DeadLetterContext, MessageContext } from '../messaging/message-context';
import type { StatusEventPublisher, StatusSnapshot, StatusUpdate } from '../realtime/status-event';
import type { StatusSnapshotRegistry } from '../realtime/status-snapshot.registry';
import { deadLetterReason, exhaustedReason, isOverBudget } from './failure-policy';
import type { WorkloadDefinition, WorkloadRow, WorkloadStore } from './workload';

/** Thrown by `run.checkpoint()` when the row being worked on was deleted or cancelled: the run ends, acked, writing nothing. */
export class WorkCancelled extends Error {
  constructor(resource: string, key: string) {
    super(`${resource} ${key} was deleted or cancelled while it was worked on`);
    this.name = 'WorkCancelled';
  }
}

/** One delivery's work on one row, as the feature's work function sees it. */
export interface WorkRun<Row extends WorkloadRow> {
  /** The row as `start` left it (status processing, attempts counted). */
  readonly row: Row;
  readonly key: string;
  /** Aborted when shutdown starts: checkpoint and throw, so the message is requeued. */
  readonly signal: AbortSignal;
  /**
   * Records progress (never lower than what a client has seen) with a heartbeat, and emits a
   * `processing` event when the percentage rose (unless `silent`: a write between the steps a
   * client is told about). Resolves false, writing nothing, once the row is no longer processing
   * (deleted, cancelled): the work should stop.
   */
  progress(value: number, options?: { stage?: string; silent?: boolean }): Promise<boolean>;
  /** Throws WorkCancelled when the row is gone or cancelled; call it between steps, before writing results. */
  checkpoint(): Promise<void>;
}

/**
 * The lifecycle every workload shares, written once: status events that never throw, the snapshot
 * a realtime subscriber starts from, the owner lookup, the attempts budget, cancellation and the
 * one dead-letter → failed policy. The feature keeps its work and its queries.
 */
export class WorkloadLifecycle<Row extends WorkloadRow, Message extends object = object> implements OnModuleInit {
  private readonly logger: Logger;

  constructor(
    readonly definition: WorkloadDefinition<Row, Message>,
    readonly store: WorkloadStore<Row>,
    private readonly events: StatusEventPublisher,
    private readonly snapshots: StatusSnapshotRegistry,
  ) {
    this.logger = new Logger(`Workload:${definition.resource}`);
  }

  get resource(): string {
    return this.definition.resource;
  }

  /** Realtime subscribers start from this snapshot, which is also their ownership check. */
  onModuleInit(): void {
    this.snapshots.register(this.resource, async (ownerId, id) => {
      const row = await this.findOwned(ownerId, id);
      return row ? this.toSnapshot(row) : null;
    });
  }

  /** The owner's row, or null for an unknown, malformed or foreign id (no query for a malformed one). */
  findOwned(ownerId: string, id: string): Promise<Row | null> {
    return (this.definition.isValidId ?? isUUID)(id) ? this.store.findOwned(ownerId, id) : Promise.resolve(null);
  }

  /** The row's status as a client sees it: the same fields as the events, REST's progress included. */
  toSnapshot(row: Row): StatusSnapshot {
    const { owner: _owner, ...update } = this.toUpdate(row);
    return { type: 'status', ...update, at: row.updatedAt.toISOString() };
  }

  /**
   * Publishes the row's status. Never throws: the state is committed and readable with GET, and
   * an event lost to a broker hiccup must not turn finished work into a retry.
   */
  async emit(row: Row, stage?: string): Promise<void> {
    const update = this.toUpdate(row, stage);
    try {
      await this.events.publish(update);
    } catch (cause) {
      this.logger.warn(`could not publish the "${row.status}" event of ${this.resource} ${row.id}: ${(cause as Error).message}`);
    }
  }

  /**
   * Starts the row's work: null (ack, nothing to do) when it is finished, deleted or cancelled, or
   * when it was started more often than the attempts budget allows (then it is failed). Announces
   * `processing` (stage `startStage`), or the restart stage with the attempt number from the
   * second start on.
   */
  async started(key: string): Promise<Row | null> {
    const row = await this.store.start(key);
    if (!row) return null;
    if (isOverBudget(row.attempts, this.definition.attempts)) {
      this.logger.warn(`${this.resource} ${row.id} failed: started ${row.attempts! - 1} times without finishing`);
      await this.fail(key, exhaustedReason(this.definition.attempts));
      return null;
    }
    await this.emit(row, this.isRetry(row) ? this.restartStage : this.definition.startStage);
    return row;
  }

  /**
   * One delivery of the queue's message, end to end: start, the feature's work, the final event.
   * `work` answers the finished row (or null when nothing was written, e.g. deleted meanwhile).
   * A cancelled run (WorkCancelled) is acked and writes nothing; any other error goes to the
   * queue's retry policy and, at last, to `deadLettered`.
   */
  async run(message: Message, context: Pick<MessageContext, 'signal'>, work: (run: WorkRun<Row>) => Promise<Row | null>): Promise<void> {
    const key = this.definition.keyOf(message);
    const row = await this.started(key);
    if (!row) return;
    try {
      const done = await work(this.workRun(key, row, context.signal));
      if (done) await this.emit(done);
    } catch (error) {
      if (!(error instanceof WorkCancelled)) throw error;
      this.logger.log(error.message);
    }
  }

  /** True when the row is gone or cancelled, so its work must stop and write nothing. */
  async isCancelled(key: string): Promise<boolean> {
    return !(await this.store.exists(key));
  }

  /**
   * The ONE dead-letter policy: the messaging layer gave up on a message, so its row becomes
   * `failed` with a reason its owner may read (failure-policy.ts); the full error is logged.
   */
  async deadLettered(message: Message | undefined, { error, attempt }: Pick<DeadLetterContext, 'error' | 'attempt'>): Promise<void> {
    if (!message) return; // an unreadable message names no row; the messaging layer logged it
    const key = this.definition.keyOf(message);
    const failed = await this.fail(key, deadLetterReason(error, attempt));
    if (failed) this.logger.warn(`${this.resource} ${failed.id} failed after ${attempt} attempt(s): ${error.message}`);
  }

  /** Marks the row failed (permanent errors, the budget, dead letters) and tells subscribers; null when it was no longer open. */
  async fail(key: string, reason: string): Promise<Row | null> {
    const failed = await this.store.fail(key, reason);
    if (failed) await this.emit(failed);
    return failed;
  }

  private workRun(key: string, row: Row, signal: AbortSignal): WorkRun<Row> {
    let shown = row.progress ?? 0;
    const progress = async (value: number, options: { stage?: string; silent?: boolean } = {}): Promise<boolean> => {
      if (!this.store.progress) throw new Error(`The ${this.resource} store records no progress`);
      const stored = await this.store.progress(key, value);
      if (stored === null) return false;
      if (stored > shown && !options.silent) {
        shown = stored;
        await this.emit({ ...row, status: 'processing', progress: stored }, options.stage);
      }
      return true;
    };
    const checkpoint = async (): Promise<void> => {
      if (await this.isCancelled(key)) throw new WorkCancelled(this.resource, key);
    };
    return { row, key, signal, progress, checkpoint };
  }

  private get restartStage(): string {
    return this.definition.restartStage ?? 'retrying';
  }

  private isRetry(row: Row): boolean {
    return row.status === 'processing' && (row.attempts ?? 1) > 1;
  }

  private toUpdate(row: Row, stage?: string): StatusUpdate {
    const retry = this.isRetry(row);
    const status = this.definition.toStatus(row);
    const shownStage = stage ?? status.stage ?? (retry ? this.restartStage : undefined);
    return {
      resource: this.resource,
      id: row.id,
      owner: row.ownerId,
      ...status,
      ...(shownStage ? { stage: shownStage } : {}),
      ...(retry ? { attempt: row.attempts } : {}),
    };
  }
}
