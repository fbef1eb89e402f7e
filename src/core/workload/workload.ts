import { Inject, type Provider, type Type } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { MessagePublisher } from '../messaging/message-publisher';
import type { QueueDefinition } from '../messaging/queue-definition';
import { StatusEventPublisher, isStatusResource, type StatusUpdate } from '../realtime/status-event';
import { StatusSnapshotRegistry } from '../realtime/status-snapshot.registry';
import { WorkloadLifecycle } from './workload-lifecycle';
import { WorkloadSweeper } from './workload-sweeper';

/** What the kit reads from every workload row. */
export interface WorkloadRow {
  /** The client-facing id (the realtime resource id). */
  id: string;
  ownerId: string;
  status: string;
  /** The snapshot's `at`. */
  updatedAt: Date;
  /** Starts without finishing, when the workload counts them (the attempts budget). */
  attempts?: number;
  progress?: number;
}

/**
 * The repository's side of a workload: atomic claims over its table, keyed by what the queue's
 * message carries (`key`, usually the row's id). Every write happens only while the row is open
 * (queued or processing), so finished, deleted and cancelled rows stay as they are.
 */
export interface WorkloadStore<Row extends WorkloadRow> {
  /** One of the owner's rows, or null (another user's id looks missing). Called with a valid id only. */
  findOwned(ownerId: string, id: string): Promise<Row | null>;
  /** Queued or processing → processing (attempts + 1); null when there is nothing to do (finished, deleted, cancelled). */
  start(key: string): Promise<Row | null>;
  /** Open → failed with `reason`; the failed row, or null when it was no longer open. */
  fail(key: string, reason: string): Promise<Row | null>;
  /** Raises progress (never lowers it) and heart-beats; the progress stored, or null once the row is no longer processing. */
  progress?(key: string, progress: number): Promise<number | null>;
  /** False once the row is gone (deleted, its owner erased) or marked cancelled: the worker stops and writes nothing. */
  exists(key: string): Promise<boolean>;
  /**
   * Atomically claims rows whose work looks lost (queued too long, or processing without a
   * heartbeat). `budget` is the workload's attempts, for stores that count re-publications.
   */
  claimStale(staleAfterMs: number, limit: number, budget: number): Promise<Row[]>;
  /** Fails rows whose work was lost `budget` times (for stores that count re-publications, not starts). */
  failExhausted?(staleAfterMs: number, budget: number, reason: string): Promise<Row[]>;
}

export interface SweepTimings {
  /** How often a round runs. */
  intervalMs: number;
  /** A queued row this old lost its message; a processing one whose heartbeat is this old lost its worker. */
  staleAfterMs: number;
  /** Rows claimed per round, so a long outage is worked off without one huge statement. */
  batchSize: number;
}

export interface WorkloadDefinition<Row extends WorkloadRow = WorkloadRow, Message extends object = object> {
  /** The realtime resource type (`job`): events, snapshots and the `/ws/<resource>s/<id>` route. */
  resource: string;
  queue: QueueDefinition<Message>;
  /** The feature's repository class implementing the store (a provider of the feature module). */
  store: Type<WorkloadStore<Row>>;
  /** The store key a message names, and the message that restarts a row's work. */
  keyOf(message: Message): string;
  messageFor(row: Row): Message;
  /** The feature's part of a status event and snapshot (status, progress, counts, error). */
  toStatus(row: Row): Omit<StatusUpdate, 'resource' | 'id' | 'owner'>;
  /** Client ids this workload can have; others are unknown without a query. UUIDs by default. */
  isValidId?(id: string): boolean;
  /** Stage of the first event of a first start (`started`); none by default. */
  startStage?: string;
  /** Stage of the events of a second or later start: `retrying` by default (the work starts over). */
  restartStage?: string;
  /** Starts (or re-publications, with `failExhausted`) without finishing before the row is failed. */
  attempts: number;
  sweep: SweepTimings;
}

/**
 * Declares a feature's workload once (`<feature>.workload.ts`); a bad declaration fails at import
 * time. The feature module adds `...workloadProviders(DEF)` to its providers and injects the
 * lifecycle with `@InjectWorkload(DEF)`.
 */
/** A declared workload: `isValidId` is always there (UUIDs unless the feature said otherwise). */
export type DefinedWorkload<Row extends WorkloadRow, Message extends object> = Readonly<WorkloadDefinition<Row, Message> & { isValidId(id: string): boolean }>;

export function defineWorkload<Row extends WorkloadRow, Message extends object>(
  definition: WorkloadDefinition<Row, Message>,
): DefinedWorkload<Row, Message> {
  const { resource, attempts, sweep } = definition;
  if (!isStatusResource(resource)) throw new Error(`Workload resource "${resource}" must be lower-case letters, digits, "-" or "_"`);
  if (!Number.isInteger(attempts) || attempts < 1) throw new Error(`Workload "${resource}": attempts must be an integer >= 1`);
  if (!(sweep.intervalMs > 0 && sweep.staleAfterMs >= 0 && sweep.batchSize >= 1)) {
    throw new Error(`Workload "${resource}": sweep needs intervalMs > 0, staleAfterMs >= 0 and batchSize >= 1`);
  }
  return Object.freeze({ isValidId: (id: string) => isUUID(id), ...definition, sweep: Object.freeze({ ...sweep }) });
}

export function workloadToken(resource: string): string {
  return `Workload:${resource}`;
}

export function workloadSweeperToken(resource: string): string {
  return `WorkloadSweeper:${resource}`;
}

/** Injects the workload's lifecycle (`WorkloadLifecycle<Row, Message>`). */
export function InjectWorkload(definition: Pick<WorkloadDefinition, 'resource'>): ParameterDecorator {
  return Inject(workloadToken(definition.resource));
}

/**
 * The providers a workload gets from the kit: its lifecycle (status events, snapshot registration,
 * the dead-letter policy, the attempts budget, cancellation) and its stale-work sweeper.
 */
export function workloadProviders<Row extends WorkloadRow, Message extends object>(definition: WorkloadDefinition<Row, Message>): Provider[] {
  return [
    {
      provide: workloadToken(definition.resource),
      useFactory: (store: WorkloadStore<Row>, events: StatusEventPublisher, snapshots: StatusSnapshotRegistry) =>
        new WorkloadLifecycle(definition, store, events, snapshots),
      inject: [definition.store, StatusEventPublisher, StatusSnapshotRegistry],
    },
    {
      provide: workloadSweeperToken(definition.resource),
      useFactory: (lifecycle: WorkloadLifecycle<Row, Message>, publisher: MessagePublisher) => new WorkloadSweeper(lifecycle, publisher),
      inject: [workloadToken(definition.resource), MessagePublisher],
    },
  ];
}
