import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import type { WorkloadStore } from '../../core/workload/workload';
import type { LeadResult } from './analyses/ecg-analysis';
import { EcgLeadEntity } from './entities/ecg-lead.entity';
import { EcgEntity, EcgStatus } from './entities/ecg.entity';
import { decodeSignal, encodeSignal } from './signal-codec';

export interface NewEcg {
  ownerId: string;
  id: string;
  date: Date;
  samplingRateHz: number | null;
  leads: { name: string; samples: ArrayLike<number> }[];
}

export interface LeadSignal {
  position: number;
  name: string;
  samples: Int32Array;
}

interface RawEcg {
  pk: string;
  owner_id: string;
  id: string;
  date: Date;
  sampling_rate_hz: number | null;
  status: EcgStatus;
  heart_rate_bpm: number | null;
  error: string | null;
  republish_count: number;
  created_at: Date;
  updated_at: Date;
  processed_at: Date | null;
}

const OWNER_ID_UNIQUE = 'ecgs_owner_id_id_key';
const UNFINISHED: EcgStatus[] = ['queued', 'processing'];
// $1 is the base age in ms. The first conjunct lets the partial index on updated_at do the work.
const STALE = `updated_at < now() - make_interval(secs => $1::double precision / 1000)
  AND updated_at < now() - make_interval(secs => $1::double precision / 1000 * power(2, least(republish_count, 6)))`;

@Injectable()
export class EcgRepository implements WorkloadStore<EcgEntity> {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(EcgEntity) private readonly ecgs: Repository<EcgEntity>,
    @InjectRepository(EcgLeadEntity) private readonly leads: Repository<EcgLeadEntity>,
  ) {}

  /**
   * Stores the ECG and its leads in one statement (one round trip, its own transaction), or
   * answers `null` when the owner already has an ECG with this id (race-free: the unique index
   * decides, not a read before the write). Each signal travels as one binary parameter.
   */
  async insert(ecg: NewEcg): Promise<EcgEntity | null> {
    const params: unknown[] = [ecg.ownerId, ecg.id, ecg.date, ecg.samplingRateHz];
    const values = ecg.leads.map((lead, position) => {
      const at = params.push(position, lead.name, lead.samples.length, encodeSignal(lead.samples));
      return `($${at - 3}::smallint, $${at - 2}::varchar, $${at - 1}::integer, $${at}::bytea)`;
    });
    const leads = values.length
      ? `, leads AS (
           INSERT INTO ecg_leads (ecg_pk, position, name, number_of_samples, signal)
           SELECT e.pk, v.position, v.name, v.number_of_samples, v.signal
             FROM e, (VALUES ${values.join(', ')}) AS v(position, name, number_of_samples, signal))`
      : '';
    const rows: RawEcg[] = await this.dataSource.query(
      `WITH e AS (
         INSERT INTO ecgs (owner_id, id, date, sampling_rate_hz, status) VALUES ($1, $2, $3, $4, 'queued')
         ON CONFLICT ON CONSTRAINT ${OWNER_ID_UNIQUE} DO NOTHING
         RETURNING *)${leads}
       SELECT * FROM e`,
      params,
    );
    return rows.length > 0 ? this.toEcg(rows[0]) : null;
  }

  /** The owner's ECG with its leads (never their signals), or null: another user's id looks missing. */
  findOwned(ownerId: string, id: string): Promise<EcgEntity | null> {
    return this.ecgs
      .createQueryBuilder('e')
      .leftJoinAndSelect('e.leads', 'l')
      .where('e.owner_id = :ownerId AND e.id = :id', { ownerId, id })
      .orderBy('l.position', 'ASC')
      .getOne();
  }

  /**
   * The owner's ECGs, newest first, `limit` of them after the one with `afterPk` (keyset on
   * (created_at, pk), so a page never shifts when ECGs are added meanwhile). The cursor row is
   * looked up rather than carried in the cursor so that created_at keeps its microseconds.
   */
  async listOwned(ownerId: string, limit: number, afterPk?: string): Promise<EcgEntity[]> {
    // A correlated count in the same statement (TypeORM 1.x dropped loadRelationCountAndMap).
    const query = this.ecgs
      .createQueryBuilder('e')
      .addSelect('(SELECT COUNT(*) FROM ecg_leads l WHERE l.ecg_pk = e.pk)::int', 'number_of_leads')
      .where('e.owner_id = :ownerId', { ownerId })
      .orderBy('e.createdAt', 'DESC')
      .addOrderBy('e.pk', 'DESC')
      .limit(limit);
    if (afterPk !== undefined) {
      query.andWhere('(e.created_at, e.pk) < (SELECT c.created_at, c.pk FROM ecgs c WHERE c.pk = :afterPk AND c.owner_id = :ownerId)', {
        afterPk,
      });
    }
    // No joins, so raw row i is entity i.
    const { entities, raw } = await query.getRawAndEntities<{ number_of_leads: number }>();
    return entities.map((ecg, i) => Object.assign(ecg, { numberOfLeads: raw[i].number_of_leads }));
  }

  /**
   * Deletes the owner's ECG (its leads cascade) unless a worker is analysing it. Answers 'deleted',
   * 'processing', or null when the owner has no ECG with this id.
   */
  async deleteUnlessProcessing(ownerId: string, id: string): Promise<'deleted' | 'processing' | null> {
    const rows: { deleted: number; found: number }[] = await this.dataSource.query(
      `WITH target AS (SELECT pk, status FROM ecgs WHERE owner_id = $1 AND id = $2 FOR UPDATE),
            gone AS (DELETE FROM ecgs e USING target t WHERE e.pk = t.pk AND t.status <> 'processing' RETURNING e.pk)
       SELECT (SELECT count(*) FROM gone)::int AS deleted, (SELECT count(*) FROM target)::int AS found`,
      [ownerId, id],
    );
    const { deleted, found } = rows[0];
    return deleted > 0 ? 'deleted' : found > 0 ? 'processing' : null;
  }

  findByPk(pk: string): Promise<EcgEntity | null> {
    return this.ecgs.findOneBy({ pk });
  }

  /**
   * A worker takes the ECG: queued becomes processing; one left processing by a crashed worker is
   * simply analysed again. Null for a finished or deleted ECG, which the worker leaves alone.
   */
  async start(pk: string): Promise<EcgEntity | null> {
    // From queued: a fresh re-publish budget (the count so far was spent waiting in the queue, not
    // crashing). Already processing: untouched, so a crash loop still ages towards failExhausted.
    const [rows]: [RawEcg[]] = await this.dataSource.query(
      `UPDATE ecgs SET status = 'processing',
              republish_count = CASE WHEN status = 'queued' THEN 0 ELSE republish_count END,
              updated_at = CASE WHEN status = 'queued' THEN now() ELSE updated_at END
        WHERE pk = $1 AND status = ANY($2) RETURNING *`,
      [pk, UNFINISHED],
    );
    return rows.length > 0 ? this.toEcg(rows[0]) : null;
  }

  /** False once the ECG is deleted (or finished): its worker stops. */
  async exists(pk: string): Promise<boolean> {
    return this.ecgs.existsBy({ pk, status: In(UNFINISHED) });
  }

  async loadSignals(pk: string): Promise<LeadSignal[]> {
    const leads = await this.leads
      .createQueryBuilder('l')
      .select(['l.position', 'l.name'])
      .addSelect('l.signal')
      .where('l.ecg_pk = :pk', { pk })
      .orderBy('l.position', 'ASC')
      .getMany();
    return leads.map((lead) => ({ position: lead.position, name: lead.name, samples: decodeSignal(lead.signal!) }));
  }

  /**
   * Writes every lead's insights and the ECG's outcome in one statement (its own transaction).
   * Answers the completed ECG, or null, writing nothing, when the ECG is no longer unfinished (a
   * concurrent duplicate delivery finished it).
   */
  async complete(pk: string, result: { leads: { position: number; insights: LeadResult }[]; heartRateBpm: number | null }): Promise<EcgEntity | null> {
    const rows: RawEcg[] = await this.dataSource.query(
      `WITH done AS (
         UPDATE ecgs SET status = 'completed', heart_rate_bpm = $2, error = NULL, processed_at = now(), updated_at = now()
          WHERE pk = $1 AND status = ANY($3)
          RETURNING *),
       leads AS (
         UPDATE ecg_leads AS l SET insights = v.insights
           FROM done, unnest($4::smallint[], $5::jsonb[]) AS v(position, insights)
          WHERE l.ecg_pk = done.pk AND l.position = v.position)
       SELECT * FROM done`,
      [pk, result.heartRateBpm, UNFINISHED, result.leads.map((l) => l.position), result.leads.map((l) => JSON.stringify(l.insights))],
    );
    return rows.length > 0 ? this.toEcg(rows[0]) : null;
  }

  /** Unfinished → failed; the ECG when this call failed it, null when it was already finished or gone. */
  async fail(pk: string, error: string): Promise<EcgEntity | null> {
    const [rows] = await this.dataSource.query(
      `UPDATE ecgs SET status = 'failed', error = $2, processed_at = now(), updated_at = now()
       WHERE pk = $1 AND status = ANY($3) RETURNING pk`,
      [pk, error, UNFINISHED],
    );
    return rows.length > 0 ? this.findByPk(pk) : null;
  }

  /** An `ecgs` row as RETURNING * gives it (pg already parses uuid, numbers and timestamptz). */
  private toEcg(row: RawEcg): EcgEntity {
    return this.ecgs.create({
      pk: row.pk,
      ownerId: row.owner_id,
      id: row.id,
      date: row.date,
      samplingRateHz: row.sampling_rate_hz,
      status: row.status,
      heartRateBpm: row.heart_rate_bpm,
      error: row.error,
      republishCount: row.republish_count,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      processedAt: row.processed_at,
    });
  }

  private async byPks(rows: { pk: string }[]): Promise<EcgEntity[]> {
    return rows.length ? this.ecgs.findBy({ pk: In(rows.map((r) => r.pk)) }) : [];
  }

  /**
   * Claims up to `limit` unfinished ECGs that look lost so that they can be re-published:
   * `updated_at` moves on and `republish_count` goes up in the same statement, and SKIP LOCKED keeps
   * two sweepers from claiming the same rows. "Lost" means untouched for `staleAfterMs`, doubled per
   * earlier re-publication (capped at 64×): while the workers are down, or the queue is long, an
   * ECG gets a handful of duplicate messages instead of one a minute. Duplicates are harmless (the
   * analysis is idempotent). ECGs `processing` with their budget spent are left to `failExhausted`.
   */
  async claimStale(staleAfterMs: number, limit: number, maxRepublishes: number): Promise<EcgEntity[]> {
    const [rows] = await this.dataSource.query(
      `UPDATE ecgs SET updated_at = now(), republish_count = republish_count + 1
       WHERE pk IN (
         SELECT pk FROM ecgs
         WHERE status IN ('queued', 'processing') AND ${STALE}
           AND (status = 'queued' OR republish_count < $2)
         ORDER BY updated_at
         LIMIT $3
         FOR UPDATE SKIP LOCKED)
       RETURNING pk`,
      [staleAfterMs, maxRepublishes, limit],
    );
    return this.byPks(rows);
  }

  /** Fails ECGs stuck in `processing` after `maxRepublishes` re-publications; answers those it failed. */
  async failExhausted(staleAfterMs: number, maxRepublishes: number, error: string): Promise<EcgEntity[]> {
    const [rows] = await this.dataSource.query(
      `UPDATE ecgs SET status = 'failed', error = $3, processed_at = now(), updated_at = now()
       WHERE status = 'processing' AND republish_count >= $2 AND ${STALE}
       RETURNING pk`,
      [staleAfterMs, maxRepublishes, error],
    );
    return this.byPks(rows);
  }

  /** User erasure: the owner's ECGs; their leads cascade. */
  async deleteAllOwned(ownerId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM ecgs WHERE owner_id = $1`, [ownerId]);
  }
}
