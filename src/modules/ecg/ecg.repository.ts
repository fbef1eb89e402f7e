import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, QueryFailedError, Repository } from 'typeorm';
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

/** Enough of an ECG to publish its message and its status events. */
export interface EcgRef {
  pk: string;
  id: string;
  ownerId: string;
  status: EcgStatus;
}

export interface LeadSignal {
  position: number;
  name: string;
  samples: Int32Array;
}

const UNIQUE_VIOLATION = '23505';
const OWNER_ID_UNIQUE = 'ecgs_owner_id_id_key';
const UNFINISHED: EcgStatus[] = ['queued', 'processing'];
// $1 is the base age in ms. The first conjunct lets the partial index on updated_at do the work.
const STALE = `updated_at < now() - make_interval(secs => $1::double precision / 1000)
  AND updated_at < now() - make_interval(secs => $1::double precision / 1000 * power(2, least(republish_count, 6)))`;

function toRef(row: { pk: string; id: string; owner_id: string; status: EcgStatus }): EcgRef {
  return { pk: row.pk, id: row.id, ownerId: row.owner_id, status: row.status };
}

@Injectable()
export class EcgRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(EcgEntity) private readonly ecgs: Repository<EcgEntity>,
    @InjectRepository(EcgLeadEntity) private readonly leads: Repository<EcgLeadEntity>,
  ) {}

  /**
   * Stores the ECG and its leads in one transaction, or answers `null` when the owner already has
   * an ECG with this id (race-free: the unique index decides, not a read before the write).
   */
  async insert(ecg: NewEcg): Promise<EcgEntity | null> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const saved = await manager.save(
          manager.create(EcgEntity, {
            ownerId: ecg.ownerId,
            id: ecg.id,
            date: ecg.date,
            samplingRateHz: ecg.samplingRateHz,
            status: 'queued',
          }),
        );
        // One multi-row INSERT for at most 12 leads; each signal travels as one binary parameter.
        await manager.insert(
          EcgLeadEntity,
          ecg.leads.map((lead, position) => ({
            ecgPk: saved.pk,
            position,
            name: lead.name,
            numberOfSamples: lead.samples.length,
            signal: encodeSignal(lead.samples),
            insights: null,
          })),
        );
        return saved;
      });
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string; constraint?: string }).code === UNIQUE_VIOLATION &&
        (error.driverError as { constraint?: string }).constraint === OWNER_ID_UNIQUE
      ) {
        return null;
      }
      throw error;
    }
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

  /** The owner's ECG row alone (status, error, times), or null: for realtime snapshots. */
  findOwnedRow(ownerId: string, id: string): Promise<EcgEntity | null> {
    return this.ecgs.findOneBy({ ownerId, id });
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

  findByPk(pk: string): Promise<EcgEntity | null> {
    return this.ecgs.findOneBy({ pk });
  }

  /** queued → processing; false when another delivery got there first (or it is finished). */
  async markProcessing(pk: string): Promise<boolean> {
    // A fresh re-publish budget: the count so far was spent waiting in the queue, not crashing.
    const [, affected] = await this.dataSource.query(
      `UPDATE ecgs SET status = 'processing', republish_count = 0, updated_at = now() WHERE pk = $1 AND status = 'queued'`,
      [pk],
    );
    return affected > 0;
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
   * Writes every lead's insights and the ECG's outcome in one transaction. Answers false, writing
   * nothing, when the ECG is no longer unfinished (a concurrent duplicate delivery finished it).
   */
  async complete(pk: string, result: { leads: { position: number; insights: LeadResult }[]; heartRateBpm: number | null }): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const [, affected] = await manager.query(
        `UPDATE ecgs SET status = 'completed', heart_rate_bpm = $2, error = NULL, processed_at = now(), updated_at = now()
         WHERE pk = $1 AND status = ANY($3)`,
        [pk, result.heartRateBpm, UNFINISHED],
      );
      if (affected === 0) return false;
      await manager.query(
        `UPDATE ecg_leads AS l SET insights = v.insights
         FROM unnest($2::smallint[], $3::jsonb[]) AS v(position, insights)
         WHERE l.ecg_pk = $1 AND l.position = v.position`,
        [pk, result.leads.map((l) => l.position), result.leads.map((l) => JSON.stringify(l.insights))],
      );
      return true;
    });
  }

  /** Unfinished → failed; the ECG when this call failed it, null when it was already finished or gone. */
  async fail(pk: string, error: string): Promise<EcgRef | null> {
    const [rows] = await this.dataSource.query(
      `UPDATE ecgs SET status = 'failed', error = $2, processed_at = now(), updated_at = now()
       WHERE pk = $1 AND status = ANY($3) RETURNING pk, id, owner_id, status`,
      [pk, error, UNFINISHED],
    );
    return rows.length > 0 ? toRef(rows[0]) : null;
  }

  /**
   * Claims up to `limit` unfinished ECGs that look lost so that they can be re-published:
   * `updated_at` moves on and `republish_count` goes up in the same statement, and SKIP LOCKED keeps
   * two sweepers from claiming the same rows. "Lost" means untouched for `staleAfterMs`, doubled per
   * earlier re-publication (capped at 64×): while the workers are down, or the queue is long, an
   * ECG gets a handful of duplicate messages instead of one a minute. Duplicates are harmless (the
   * analysis is idempotent). ECGs `processing` with their budget spent are left to `failExhausted`.
   */
  async claimStale(staleAfterMs: number, maxRepublishes: number, limit: number): Promise<EcgRef[]> {
    const [rows] = await this.dataSource.query(
      `UPDATE ecgs SET updated_at = now(), republish_count = republish_count + 1
       WHERE pk IN (
         SELECT pk FROM ecgs
         WHERE status IN ('queued', 'processing') AND ${STALE}
           AND (status = 'queued' OR republish_count < $2)
         ORDER BY updated_at
         LIMIT $3
         FOR UPDATE SKIP LOCKED)
       RETURNING pk, id, owner_id, status`,
      [staleAfterMs, maxRepublishes, limit],
    );
    return rows.map(toRef);
  }

  /** Fails ECGs stuck in `processing` after `maxRepublishes` re-publications; answers those it failed. */
  async failExhausted(staleAfterMs: number, maxRepublishes: number, error: string): Promise<EcgRef[]> {
    const [rows] = await this.dataSource.query(
      `UPDATE ecgs SET status = 'failed', error = $3, processed_at = now(), updated_at = now()
       WHERE status = 'processing' AND republish_count >= $2 AND ${STALE}
       RETURNING pk, id, owner_id, status`,
      [staleAfterMs, maxRepublishes, error],
    );
    return rows.map(toRef);
  }
}
