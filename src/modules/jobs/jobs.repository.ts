import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { claimStaleRows, isRowOpen, updateOpenRow } from '../../core/database/workload-rows';
import type { WorkloadStore } from '../../core/workload/workload';
import type { LogLevel } from './ingest/log-entry';
import { JobEntity } from './entities/job.entity';
import { LogEntryEntity } from './entities/log-entry.entity';
import { LogRejectionEntity } from './entities/log-rejection.entity';

export interface NewJob {
  id: string;
  ownerId: string;
  fileName: string;
  objectKey: string;
  sizeBytes: number;
}

export interface EntryFilters {
  level?: LogLevel;
  service?: string;
  q?: string;
  from?: Date;
  to?: Date;
}

/** Jobs, their entries and rejections: every read and every status change. */
@Injectable()
export class JobsRepository implements WorkloadStore<JobEntity> {
  constructor(
    @InjectRepository(JobEntity) private readonly jobs: Repository<JobEntity>,
    @InjectRepository(LogEntryEntity) private readonly entries: Repository<LogEntryEntity>,
    @InjectRepository(LogRejectionEntity) private readonly rejections: Repository<LogRejectionEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async insertQueued(job: NewJob): Promise<JobEntity> {
    return this.jobs.save(this.jobs.create({ ...job, status: 'queued' }));
  }

  findById(id: string): Promise<JobEntity | null> {
    return this.jobs.findOneBy({ id });
  }

  findOwned(ownerId: string, id: string): Promise<JobEntity | null> {
    return this.jobs.findOneBy({ id, ownerId });
  }

  /** Newest first; `after` is the last row of the previous page. */
  listOwned(ownerId: string, limit: number, after?: { created_at: string; id: string }): Promise<JobEntity[]> {
    const query = this.jobs
      .createQueryBuilder('j')
      .where('j.owner_id = :ownerId', { ownerId })
      .orderBy('j.created_at', 'DESC')
      .addOrderBy('j.id', 'DESC')
      .limit(limit);
    if (after) query.andWhere('(j.created_at, j.id) < (:createdAt, :id)', { createdAt: after.created_at, id: after.id });
    return query.getMany();
  }

  /** In line order; `afterLine` is the last line of the previous page. */
  listEntries(jobId: string, filters: EntryFilters, limit: number, afterLine = 0): Promise<LogEntryEntity[]> {
    const query = this.entries
      .createQueryBuilder('e')
      .where('e.job_id = :jobId', { jobId })
      .andWhere('e.line_no > :afterLine', { afterLine })
      .orderBy('e.line_no', 'ASC')
      .limit(limit);
    if (filters.level) query.andWhere('e.level = :level', { level: filters.level });
    if (filters.service) query.andWhere('e.service = :service', { service: filters.service });
    if (filters.from) query.andWhere('e.timestamp >= :from', { from: filters.from });
    if (filters.to) query.andWhere('e.timestamp < :to', { to: filters.to });
    // The same expression as the GIN index, or PostgreSQL cannot use it.
    if (filters.q) query.andWhere(`to_tsvector('english', e.message) @@ websearch_to_tsquery('english', :q)`, { q: filters.q });
    return query.getMany();
  }

  listRejections(jobId: string, limit: number, afterLine = 0): Promise<LogRejectionEntity[]> {
    return this.rejections
      .createQueryBuilder('r')
      .where('r.job_id = :jobId AND r.line_no > :afterLine', { jobId, afterLine })
      .orderBy('r.line_no', 'ASC')
      .limit(limit)
      .getMany();
  }

  /**
   * Deletes the job (entries and rejections cascade) unless a worker is on it. Answers the
   * deleted row, 'processing', or null when there is no such job of this owner.
   */
  async deleteUnlessProcessing(ownerId: string, id: string): Promise<JobEntity | 'processing' | null> {
    return this.dataSource.transaction(async (manager) => {
      const { raw } = await manager
        .createQueryBuilder()
        .delete()
        .from(JobEntity)
        .where("id = :id AND owner_id = :ownerId AND status <> 'processing'", { id, ownerId })
        .returning('id, object_key')
        .execute();
      const rows = raw as { id: string; object_key: string }[];
      if (rows.length === 0) {
        const existing = await manager.findOneBy(JobEntity, { id, ownerId });
        return existing ? 'processing' : null;
      }
      // log_entries has no foreign key (bulk-load speed), so no cascade: delete them here.
      await manager.delete(LogEntryEntity, { jobId: id });
      return this.jobs.create({ id: rows[0].id, objectKey: rows[0].object_key });
    });
  }

  /**
   * A worker takes the job: queued or processing (a resumed one) becomes processing. Answers
   * null for a finished or deleted job, which the worker then leaves alone.
   */
  async start(id: string): Promise<JobEntity | null> {
    const rows = await this.jobs
      .createQueryBuilder()
      .update()
      .set({ status: 'processing', startedAt: () => 'coalesce(started_at, now())', attempts: () => 'attempts + 1', updatedAt: () => 'now()' })
      .where('id = :id AND status IN (:...open)', { id, open: ['queued', 'processing'] })
      .returning('id')
      .execute();
    return rows.raw.length ? this.findById(id) : null;
  }

  async complete(id: string): Promise<JobEntity | null> {
    return this.finish(id, { status: 'completed', progress: 100, error: null });
  }

  async fail(id: string, error: string): Promise<JobEntity | null> {
    return this.finish(id, { status: 'failed', error });
  }

  exists(id: string): Promise<boolean> {
    return isRowOpen(this.jobs, id);
  }

  private async finish(id: string, changes: Partial<JobEntity>): Promise<JobEntity | null> {
    return (await updateOpenRow(this.jobs, id, { ...changes, completedAt: () => 'now()' })) ? this.findById(id) : null;
  }

  /**
   * Unfinished jobs whose heartbeat (updated_at) is older than `staleAfterMs`, claimed by
   * bumping it, so concurrent sweepers never pick the same job in one round.
   */
  claimStale(staleAfterMs: number, limit: number): Promise<JobEntity[]> {
    return claimStaleRows(this.jobs, staleAfterMs, limit);
  }

  // Data lifecycle (docs/data-lifecycle.md): user erasure and retention, through jobs-data-lifecycle.ts.

  async listOwnedIds(ownerId: string, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(`SELECT id FROM jobs WHERE owner_id = $1 LIMIT $2`, [ownerId, limit]);
    return rows.map((r) => r.id);
  }

  /**
   * Deletes the owner's jobs (rejections cascade) and their entries. The job rows go first: a worker
   * committing a batch holds its job row, so the entries are deleted after its commit, never beside it.
   */
  async deleteOwnedRows(ownerId: string, ids: string[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM jobs WHERE owner_id = $1 AND id = ANY($2::uuid[])`, [ownerId, ids]);
      await manager.query(`DELETE FROM log_entries WHERE job_id = ANY($1::uuid[])`, [ids]);
    });
  }

  /** Finished jobs completed before `before` whose file and entries are not erased yet, oldest first. */
  async listExpirable(before: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM jobs WHERE expired_at IS NULL AND status IN ('completed', 'failed') AND completed_at < $1
       ORDER BY completed_at LIMIT $2`,
      [before, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Marks the jobs expired and deletes their entries and rejections; the row and its counts stay. */
  async expire(ids: string[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE jobs SET expired_at = now() WHERE id = ANY($1::uuid[]) AND expired_at IS NULL`, [ids]);
      await manager.query(`DELETE FROM log_entries WHERE job_id = ANY($1::uuid[])`, [ids]);
      await manager.query(`DELETE FROM log_rejections WHERE job_id = ANY($1::uuid[])`, [ids]);
    });
  }
}
