import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import type { CopyRows } from './ingest/copy-rows';

export interface IngestBatch {
  /**
   * Valid lines, already encoded as COPY rows (`toCopyRow`) in one byte buffer: a fraction of the
   * memory of parsed objects or of a string per line, and the formatting happens while the
   * previous batch commits.
   */
  rows: CopyRows;
  /** Rejections whose reasons are kept (the first 10,000 of the job); `rejectedCount` counts all. */
  rejections: { lineNo: number; reason: string }[];
  rejectedCount: number;
  /** The checkpoint after this batch. */
  linesRead: number;
  bytesRead: number;
  progress: number;
}

export type CommitResult = 'committed' | 'lost-ownership';

const COPY_ENTRIES = 'COPY log_entries (job_id, line_no, timestamp, level, service, message, attributes) FROM STDIN';
const DATA_EXCEPTION = '22'; // SQLSTATE class: a value PostgreSQL cannot store

/**
 * The ingest hot path: one transaction per batch writes the valid lines with COPY, the
 * rejections with one unnest INSERT, and moves the job's checkpoint — so a redelivered message
 * resumes exactly after the last committed line.
 */
@Injectable()
export class LogIngestRepository {
  private readonly logger = new Logger(LogIngestRepository.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Commits the batch if the job's checkpoint is still `expectedLinesRead`; another worker that
   * moved it (a sweeper re-published a job this worker was slow on) owns the job now.
   */
  async commit(jobId: string, expectedLinesRead: number, batch: IngestBatch): Promise<CommitResult> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      await client.query('BEGIN');
      // The batch and its checkpoint commit together, so a commit lost in a PostgreSQL crash
      // loses both and the resumed ingest writes that batch again: nothing is duplicated or
      // skipped. Not waiting for each commit's WAL flush is then safe, and it was the largest
      // gap to one long COPY (one flush per 20,000 lines).
      await client.query('SET LOCAL synchronous_commit TO off');
      const owned = await client.query(`SELECT 1 FROM jobs WHERE id = $1 AND lines_read = $2 AND status = 'processing' FOR UPDATE`, [
        jobId,
        expectedLinesRead,
      ]);
      if (owned.rowCount === 0) {
        await client.query('ROLLBACK');
        return 'lost-ownership';
      }
      const refused = await this.copyEntries(client, jobId, batch.rows);
      const rejections = [...batch.rejections, ...refused];
      if (rejections.length > 0) {
        await client.query(
          `INSERT INTO log_rejections (job_id, line_no, reason) SELECT $1, * FROM unnest($2::int[], $3::text[]) ON CONFLICT DO NOTHING`,
          [jobId, rejections.map((r) => r.lineNo), rejections.map((r) => r.reason)],
        );
      }
      // attempts = 1: this start made progress, so earlier interruptions no longer count; the
      // budget bounds crash loops (starts in a row without a committed batch), not how often a
      // long file may lose its worker.
      await client.query(
        `UPDATE jobs SET lines_read = $2, bytes_read = $3, progress = $4, updated_at = now(), attempts = 1,
                entries_ingested = entries_ingested + $5, lines_rejected = lines_rejected + $6
          WHERE id = $1`,
        [jobId, batch.linesRead, batch.bytesRead, batch.progress, batch.rows.length - refused.length, batch.rejectedCount + refused.length],
      );
      await client.query('COMMIT');
      return 'committed';
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /**
   * COPYs the entries. Should PostgreSQL refuse a value the validator let through, the batch is
   * written again one row at a time under savepoints and the refused rows become rejections, so
   * one odd line can never stall a whole file.
   */
  private async copyEntries(client: PoolClient, jobId: string, rows: IngestBatch['rows']): Promise<{ lineNo: number; reason: string }[]> {
    if (rows.length === 0) return [];
    await client.query('SAVEPOINT copy_batch');
    try {
      await pipeline(Readable.from([rows.all()]), client.query(copyFrom(COPY_ENTRIES)));
      await client.query('RELEASE SAVEPOINT copy_batch');
      return [];
    } catch (error) {
      if (String((error as { code?: string }).code ?? '').slice(0, 2) !== DATA_EXCEPTION) throw error;
      await client.query('ROLLBACK TO SAVEPOINT copy_batch');
      this.logger.warn(`job ${jobId}: PostgreSQL refused a value in a batch (${(error as Error).message}); writing it row by row`);
    }
    const refused: { lineNo: number; reason: string }[] = [];
    for (const { lineNo, row } of rows.each()) {
      await client.query('SAVEPOINT copy_row');
      try {
        await pipeline(Readable.from([row]), client.query(copyFrom(COPY_ENTRIES)));
        await client.query('RELEASE SAVEPOINT copy_row');
      } catch (error) {
        if (String((error as { code?: string }).code ?? '').slice(0, 2) !== DATA_EXCEPTION) throw error;
        await client.query('ROLLBACK TO SAVEPOINT copy_row');
        // PostgreSQL's own message names internals (types, escapes) and is not ours to show.
        this.logger.warn(`job ${jobId}: line ${lineNo} refused by PostgreSQL: ${(error as Error).message}`);
        refused.push({ lineNo, reason: 'a value in this line cannot be stored (text or JSON the database refuses)' });
      }
    }
    return refused;
  }
}
