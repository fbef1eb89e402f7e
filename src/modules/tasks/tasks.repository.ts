import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { claimStaleRows, isRowOpen, raiseProgress, updateOpenRow } from '../../core/database/workload-rows';
import type { WorkloadStore } from '../../core/workload/workload';
import { TaskObjectCountEntity } from './entities/task-object-count.entity';
import { TaskEntity, type MediaType, type TaskMethod, type TaskObject, type TaskStatus } from './entities/task.entity';

export interface NewTask {
  id: string;
  ownerId: string;
  fileName: string;
  mediaType: MediaType;
  objects: TaskObject[];
  method: TaskMethod;
  quality: number;
}

export interface StoredInput {
  inputKey: string;
  inputContentType: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
}

export interface TaskOutcome {
  resultKey: string;
  resultContentType: string;
  resultSizeBytes: number;
  counts: Record<TaskObject, number>;
  width: number;
  height: number;
  frameCount: number | null;
  durationS: number | null;
  engine: string;
  engineVersion: string;
}

const OPEN: TaskStatus[] = ['queued', 'processing'];

/** Tasks and their per-object counts: every read and every status change. */
@Injectable()
export class TasksRepository implements WorkloadStore<TaskEntity> {
  constructor(
    @InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  insertNew(task: NewTask): Promise<TaskEntity> {
    return this.tasks.save(this.tasks.create({ ...task, status: 'new', counts: [] }));
  }

  findById(id: string): Promise<TaskEntity | null> {
    return this.tasks.findOne({ where: { id }, relations: { counts: true } });
  }

  findOwned(ownerId: string, id: string): Promise<TaskEntity | null> {
    return this.tasks.findOne({ where: { id, ownerId }, relations: { counts: true } });
  }

  /** Newest first; `after` is the last row of the previous page. */
  async listOwned(ownerId: string, limit: number, status?: TaskStatus, after?: { created_at: string; id: string }): Promise<TaskEntity[]> {
    const query = this.tasks
      .createQueryBuilder('t')
      .where('t.owner_id = :ownerId', { ownerId })
      .orderBy('t.created_at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .limit(limit);
    if (status) query.andWhere('t.status = :status', { status });
    if (after) query.andWhere('(t.created_at, t.id) < (:createdAt, :id)', { createdAt: after.created_at, id: after.id });
    const rows = await query.getMany();
    if (rows.length === 0) return rows;
    const counts = await this.dataSource.getRepository(TaskObjectCountEntity).findBy({ taskId: In(rows.map((r) => r.id)) });
    for (const row of rows) row.counts = counts.filter((c) => c.taskId === row.id);
    return rows;
  }

  /**
   * `new` → `queued` with the stored input, only if the task is still `new`: of two concurrent
   * uploads exactly one wins. Answers the updated task, or null when it was not `new`.
   */
  async markQueued(ownerId: string, id: string, input: StoredInput): Promise<TaskEntity | null> {
    const { raw } = await this.tasks
      .createQueryBuilder()
      .update()
      .set({ ...input, status: 'queued', uploadedAt: () => 'now()', updatedAt: () => 'now()' })
      .where("id = :id AND owner_id = :ownerId AND status = 'new'", { id, ownerId })
      .returning('id')
      .execute();
    return (raw as unknown[]).length ? this.findById(id) : null;
  }

  /**
   * A worker takes the task: queued, or processing (a redelivery after a crash), becomes
   * processing. Null for a finished or deleted task, which the worker then leaves alone. The
   * progress stays: a client never sees it run backwards when the work starts over.
   */
  async start(id: string): Promise<TaskEntity | null> {
    const { raw } = await this.tasks
      .createQueryBuilder()
      .update()
      .set({
        status: 'processing',
        processingStartedAt: () => 'now()',
        attempts: () => 'attempts + 1',
        updatedAt: () => 'now()',
      })
      .where('id = :id AND status IN (:...open)', { id, open: OPEN })
      .returning('id')
      .execute();
    return (raw as unknown[]).length ? this.findById(id) : null;
  }

  /** The video's progress, never lowered; also the heartbeat the sweeper watches. Null once the task is no longer processing. */
  progress(id: string, progress: number): Promise<number | null> {
    return raiseProgress(this.tasks, id, progress);
  }

  /** False once the task is deleted (or finished): its worker stops. */
  exists(id: string): Promise<boolean> {
    return isRowOpen(this.tasks, id);
  }

  /**
   * Records the result and replaces the counts in one transaction, only while the task is
   * still processing (a task deleted meanwhile stays deleted). Null when it was not.
   */
  async complete(id: string, outcome: TaskOutcome): Promise<TaskEntity | null> {
    const done = await this.dataSource.transaction(async (manager) => {
      const { counts, ...fields } = outcome;
      const { raw } = await manager
        .createQueryBuilder()
        .update(TaskEntity)
        .set({
          ...fields,
          status: 'processed',
          progress: 100,
          error: null,
          processingFinishedAt: () => 'now()',
          processingTimeMs: () => `GREATEST(0, round(extract(epoch from (now() - processing_started_at)) * 1000))::int`,
          updatedAt: () => 'now()',
        })
        .where("id = :id AND status = 'processing'", { id })
        .returning('id')
        .execute();
      if ((raw as unknown[]).length === 0) return false;
      await manager.delete(TaskObjectCountEntity, { taskId: id });
      await manager.insert(
        TaskObjectCountEntity,
        Object.entries(counts).map(([objectType, count]) => ({ taskId: id, objectType: objectType as TaskObject, count })),
      );
      return true;
    });
    return done ? this.findById(id) : null;
  }

  async fail(id: string, error: string): Promise<TaskEntity | null> {
    const failed = await updateOpenRow(this.tasks, id, {
      status: 'failed',
      error,
      processingFinishedAt: () => 'now()',
      processingTimeMs: () => `CASE WHEN processing_started_at IS NULL THEN NULL ELSE GREATEST(0, round(extract(epoch from (now() - processing_started_at)) * 1000))::int END`,
    });
    return failed ? this.findById(id) : null;
  }

  /**
   * Marks the task deleted and forgets its binaries' keys (the caller removes the objects);
   * answers the keys it held, or null for no such task of this owner. Idempotent.
   */
  async markDeleted(ownerId: string, id: string): Promise<{ task: TaskEntity; keys: string[] } | null> {
    return this.dataSource.transaction(async (manager) => {
      const task = await manager.findOne(TaskEntity, { where: { id, ownerId }, lock: { mode: 'pessimistic_write' } });
      if (!task) return null;
      const keys = [task.inputKey, task.resultKey].filter((k): k is string => Boolean(k));
      if (task.status !== 'deleted') {
        await manager.update(
          TaskEntity,
          { id },
          { status: 'deleted', inputKey: null, resultKey: null, deletedAt: () => 'now()', updatedAt: () => 'now()' },
        );
      }
      return { task: (await manager.findOne(TaskEntity, { where: { id }, relations: { counts: true } }))!, keys };
    });
  }

  /**
   * Unfinished tasks whose heartbeat is older than `staleAfterMs`, claimed by bumping it so
   * concurrent sweepers never pick the same task in one round.
   */
  claimStale(staleAfterMs: number, limit: number): Promise<TaskEntity[]> {
    return claimStaleRows(this.tasks, staleAfterMs, limit);
  }

  // Data lifecycle (docs/data-lifecycle.md): user erasure and retention, through tasks-data-lifecycle.ts.

  async listOwnedIds(ownerId: string, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(`SELECT id FROM tasks WHERE owner_id = $1 LIMIT $2`, [ownerId, limit]);
    return rows.map((r) => r.id);
  }

  /** Deletes the owner's tasks; their object counts cascade. */
  async deleteOwnedRows(ownerId: string, ids: string[]): Promise<void> {
    await this.dataSource.query(`DELETE FROM tasks WHERE owner_id = $1 AND id = ANY($2::uuid[])`, [ownerId, ids]);
  }

  /** Finished tasks whose uploaded original is still stored. */
  async listKeptOriginals(limit: number): Promise<{ id: string; key: string | null }[]> {
    const rows: { id: string; input_key: string | null }[] = await this.dataSource.query(
      `SELECT id, input_key FROM tasks WHERE original_erased_at IS NULL AND status IN ('processed', 'failed')
       ORDER BY processing_finished_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ id: r.id, key: r.input_key }));
  }

  async markOriginalsErased(ids: string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE tasks SET input_key = NULL, original_erased_at = now() WHERE id = ANY($1::uuid[]) AND original_erased_at IS NULL`,
      [ids],
    );
  }

  /** Finished tasks that finished before `before` and still have their files. */
  async listExpirable(before: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM tasks WHERE expired_at IS NULL AND status IN ('processed', 'failed') AND processing_finished_at < $1
       ORDER BY processing_finished_at LIMIT $2`,
      [before, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Forgets the files of expired tasks (already erased by the caller); the processing info stays. */
  async expire(ids: string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE tasks SET expired_at = now(), result_key = NULL, input_key = NULL, original_erased_at = coalesce(original_erased_at, now())
       WHERE id = ANY($1::uuid[]) AND expired_at IS NULL`,
      [ids],
    );
  }
}
