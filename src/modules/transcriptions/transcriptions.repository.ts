import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, type FindOptionsSelect, In, Repository } from 'typeorm';
import { claimStaleRows, isRowOpen, raiseProgress, updateOpenRow } from '../../core/database/workload-rows';
import type { WorkloadStore } from '../../core/workload/workload';
import type { TranscriptionCheckpoint } from './audio/audio-segments';
import { StoredSegment, StoredWord, TranscriptionEntity } from './entities/transcription.entity';

export interface NewTranscription {
  id: string;
  ownerId: string;
  fileName: string;
  objectKey: string;
  sizeBytes: number;
  format: string;
  language: string;
}

export interface TranscriptResult {
  text: string;
  segments: StoredSegment[];
  words: StoredWord[];
  engine: string;
  durationS: number;
  warnings: string[];
}

export interface SearchHit {
  transcription: TranscriptionEntity;
  rank: number;
  snippet: string;
}

export interface SearchCursor {
  rank: number;
  created_at: string;
  id: string;
}

/** ts_headline's markers; docs/transcriptions.md and the OpenAPI description name them too. */
export const SNIPPET_START = '**';
export const SNIPPET_STOP = '**';
const HEADLINE_OPTIONS = `StartSel=${SNIPPET_START}, StopSel=${SNIPPET_STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;

// What list and search items show: never the text, segments or words, which can be long.
const LIST_COLUMNS: (keyof TranscriptionEntity)[] = [
  'id', 'ownerId', 'fileName', 'status', 'progress', 'language', 'durationS', 'engine', 'error', 'createdAt', 'updatedAt', 'completedAt',
];
// The same columns in the object form `find({ select })` takes since TypeORM 1.x.
const LIST_SELECT: FindOptionsSelect<TranscriptionEntity> = Object.fromEntries(LIST_COLUMNS.map((c) => [c, true]));

// The same mapping as searchConfigFor() and the generated column in the migration.
const ROW_CONFIG = `CASE WHEN t.language = 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END`;
const ROW_QUERY = `CASE WHEN t.language = 'en' THEN q.english ELSE q.simple END`;

/** Transcriptions: every read, every status change and the full-text search. */
@Injectable()
export class TranscriptionsRepository implements WorkloadStore<TranscriptionEntity> {
  constructor(
    @InjectRepository(TranscriptionEntity) private readonly rows: Repository<TranscriptionEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  insertQueued(t: NewTranscription): Promise<TranscriptionEntity> {
    return this.rows.save(this.rows.create({ ...t, status: 'queued' }));
  }

  findById(id: string): Promise<TranscriptionEntity | null> {
    return this.rows.findOneBy({ id });
  }

  findOwned(ownerId: string, id: string): Promise<TranscriptionEntity | null> {
    return this.rows.findOneBy({ id, ownerId });
  }

  /** Newest first; `after` is the last row of the previous page. */
  listOwned(ownerId: string, limit: number, after?: { created_at: string; id: string }): Promise<TranscriptionEntity[]> {
    const query = this.rows
      .createQueryBuilder('t')
      .select(LIST_COLUMNS.map((c) => `t.${c}`))
      .where('t.owner_id = :ownerId', { ownerId })
      .orderBy('t.created_at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .limit(limit);
    if (after) query.andWhere('(t.created_at, t.id) < (:createdAt, :id)', { createdAt: after.created_at, id: after.id });
    return query.getMany();
  }

  /**
   * The owner's transcripts matching `q` (websearch syntax), best first (ts_rank_cd, then newest),
   * keyset-paginated on (rank, created_at, id). Each row is matched with the query parsed by its
   * own language's configuration, written as one OR per configuration so the GIN index serves
   * both. Snippets are built for the page's rows only: ts_headline re-parses the whole text.
   */
  async search(ownerId: string, q: string, limit: number, after?: SearchCursor): Promise<SearchHit[]> {
    const rows: { id: string; rank: number; snippet: string }[] = await this.dataSource.query(
      `WITH q AS (SELECT websearch_to_tsquery('english', $2) AS english, websearch_to_tsquery('simple', $2) AS simple),
       page AS (
         SELECT h.id, h.rank, h.created_at FROM (
           SELECT t.id, t.created_at, ts_rank_cd(t.search_vector, ${ROW_QUERY}) AS rank
             FROM transcriptions t CROSS JOIN q
            WHERE t.owner_id = $1
              AND ((t.language = 'en' AND t.search_vector @@ q.english) OR (t.language <> 'en' AND t.search_vector @@ q.simple))
         ) h
         WHERE $3::real IS NULL OR (h.rank, h.created_at, h.id) < ($3::real, $4::timestamptz, $5::uuid)
         ORDER BY h.rank DESC, h.created_at DESC, h.id DESC
         LIMIT $6)
       SELECT page.id, page.rank, ts_headline(${ROW_CONFIG}, t.text, ${ROW_QUERY}, '${HEADLINE_OPTIONS}') AS snippet
         FROM page JOIN transcriptions t ON t.id = page.id CROSS JOIN q
        ORDER BY page.rank DESC, page.created_at DESC, page.id DESC`,
      [ownerId, q, after?.rank ?? null, after?.created_at ?? null, after?.id ?? null, limit],
    );
    if (rows.length === 0) return [];
    const entities = new Map((await this.rows.find({ select: LIST_SELECT, where: { id: In(rows.map((r) => r.id)) } })).map((t) => [t.id, t]));
    return rows
      .filter((r) => entities.has(r.id)) // deleted between the two reads
      .map((r) => ({ transcription: entities.get(r.id)!, rank: Number(r.rank), snippet: r.snippet }));
  }

  /**
   * Deletes the transcription unless a worker is on it. Answers the deleted row, 'processing',
   * or null when there is no such transcription of this owner.
   */
  async deleteUnlessProcessing(ownerId: string, id: string): Promise<TranscriptionEntity | 'processing' | null> {
    return this.dataSource.transaction(async (manager) => {
      const { raw } = await manager
        .createQueryBuilder()
        .delete()
        .from(TranscriptionEntity)
        .where("id = :id AND owner_id = :ownerId AND status <> 'processing'", { id, ownerId })
        .returning('id, object_key')
        .execute();
      const deleted = raw as { id: string; object_key: string }[];
      if (deleted.length === 0) {
        const existing = await manager.findOneBy(TranscriptionEntity, { id, ownerId });
        return existing ? 'processing' : null;
      }
      return this.rows.create({ id: deleted[0].id, objectKey: deleted[0].object_key });
    });
  }

  /**
   * A worker takes the transcription: queued or processing (a redelivered one) becomes
   * processing. Answers null for a finished or deleted one, which the worker then leaves alone.
   */
  async start(id: string): Promise<TranscriptionEntity | null> {
    const result = await this.rows
      .createQueryBuilder()
      .update()
      .set({
        status: 'processing',
        startedAt: () => 'coalesce(started_at, now())',
        attempts: () => 'attempts + 1',
        updatedAt: () => 'now()',
      })
      .where('id = :id AND status IN (:...open)', { id, open: ['queued', 'processing'] })
      .returning('id')
      .execute();
    return result.raw.length ? this.findById(id) : null;
  }

  /** Heartbeat (and the audio's duration once known); false once the row is no longer processing. */
  heartbeat(id: string, changes: { durationS?: number } = {}): Promise<boolean> {
    return updateOpenRow(this.rows, id, changes, ['processing']);
  }

  /** Progress and heartbeat in one write, never lowering the progress (a redelivery starts the engine over). */
  progress(id: string, progress: number): Promise<number | null> {
    return raiseProgress(this.rows, id, progress);
  }

  /** The segments an earlier attempt finished (audio-segments.ts); null when none. */
  async loadCheckpoint(id: string): Promise<TranscriptionCheckpoint | null> {
    const row = await this.rows.findOne({ select: { id: true, checkpoint: true }, where: { id } });
    return row?.checkpoint ?? null;
  }

  /** Records the finished segments (and heart-beats); false once the row is no longer processing. */
  saveCheckpoint(id: string, checkpoint: TranscriptionCheckpoint): Promise<boolean> {
    return updateOpenRow(this.rows, id, { checkpoint }, ['processing']);
  }

  /** False once the transcription is deleted (or finished): its worker stops. */
  exists(id: string): Promise<boolean> {
    return isRowOpen(this.rows, id);
  }

  /** Stores the transcript, replacing whatever an earlier attempt wrote (redelivery is idempotent). */
  complete(id: string, result: TranscriptResult): Promise<TranscriptionEntity | null> {
    return this.finish(id, {
      status: 'completed',
      progress: 100,
      text: result.text,
      segments: result.segments,
      words: result.words,
      engine: result.engine,
      durationS: result.durationS,
      warnings: result.warnings,
      checkpoint: null,
      error: null,
    });
  }

  fail(id: string, error: string): Promise<TranscriptionEntity | null> {
    return this.finish(id, { status: 'failed', error });
  }

  private async finish(id: string, changes: Partial<TranscriptionEntity>): Promise<TranscriptionEntity | null> {
    return (await updateOpenRow(this.rows, id, { ...changes, completedAt: () => 'now()' })) ? this.findById(id) : null;
  }

  /**
   * Unfinished transcriptions whose heartbeat (updated_at) is older than `staleAfterMs`, claimed
   * by bumping it, so concurrent sweepers never pick the same one in a round.
   */
  claimStale(staleAfterMs: number, limit: number): Promise<TranscriptionEntity[]> {
    return claimStaleRows(this.rows, staleAfterMs, limit);
  }

  // Data lifecycle (docs/data-lifecycle.md): user erasure and retention, through transcriptions-data-lifecycle.ts.

  async listOwnedIds(ownerId: string, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(`SELECT id FROM transcriptions WHERE owner_id = $1 LIMIT $2`, [
      ownerId,
      limit,
    ]);
    return rows.map((r) => r.id);
  }

  async deleteOwnedRows(ownerId: string, ids: string[]): Promise<void> {
    await this.dataSource.query(`DELETE FROM transcriptions WHERE owner_id = $1 AND id = ANY($2::uuid[])`, [ownerId, ids]);
  }

  /** Finished transcriptions whose audio is still stored. */
  async listKeptOriginals(limit: number): Promise<{ id: string; key: string }[]> {
    const rows: { id: string; object_key: string }[] = await this.dataSource.query(
      `SELECT id, object_key FROM transcriptions WHERE original_erased_at IS NULL AND status IN ('completed', 'failed')
       ORDER BY completed_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ id: r.id, key: r.object_key }));
  }

  async markOriginalsErased(ids: string[]): Promise<void> {
    await this.dataSource.query(`UPDATE transcriptions SET original_erased_at = now() WHERE id = ANY($1::uuid[]) AND original_erased_at IS NULL`, [
      ids,
    ]);
  }

  /** Finished transcriptions completed before `before` that still have their transcript. */
  async listExpirable(before: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM transcriptions WHERE expired_at IS NULL AND status IN ('completed', 'failed') AND completed_at < $1
       ORDER BY completed_at LIMIT $2`,
      [before, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Erases the transcript (text, segments, words, and so the search vector); the row stays, `expired`. */
  async expire(ids: string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE transcriptions SET expired_at = now(), text = NULL, segments = NULL, words = NULL,
              original_erased_at = coalesce(original_erased_at, now())
       WHERE id = ANY($1::uuid[]) AND expired_at IS NULL`,
      [ids],
    );
  }
}
