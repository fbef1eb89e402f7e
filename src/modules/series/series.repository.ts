import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import type { SeriesMetrics } from './analysis/series-metrics';
import type { SeriesData } from './dto/series-input';
import { fromLittleEndian, littleEndian } from './encoding/series-encoders';
import { SeriesEntity } from './entities/series.entity';

/** A slice of a series' samples: values [from, to) and, for irregular series, their timestamps. */
export interface SeriesSamples {
  values: Float64Array;
  timestamps: Float64Array | null;
}

const METADATA = ['s.id', 's.ownerId', 's.name', 's.unit', 's.count', 's.startAt', 's.endAt', 's.samplingRateHz', 's.createdAt'];

@Injectable()
export class SeriesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(SeriesEntity) private readonly series: Repository<SeriesEntity>,
  ) {}

  /** One INSERT; each sample array travels as one binary parameter (node-postgres sends Buffers as binary). */
  async insert(ownerId: string, data: SeriesData, metrics: SeriesMetrics): Promise<SeriesEntity> {
    const [row] = await this.dataSource.query(
      `INSERT INTO series (owner_id, name, unit, count, start_at, end_at, sampling_rate_hz, timestamps_f64, values_f64, metrics)
       VALUES ($1, $2, $3, $4, to_timestamp($5::double precision / 1000), to_timestamp($6::double precision / 1000), $7, $8, $9, $10)
       RETURNING id, created_at`,
      [
        ownerId,
        data.name,
        data.unit,
        data.values.length,
        data.startMs,
        data.endMs,
        data.samplingRateHz,
        data.timestamps ? littleEndian(data.timestamps) : null,
        littleEndian(data.values),
        JSON.stringify(metrics),
      ],
    );
    return Object.assign(new SeriesEntity(), {
      id: row.id,
      ownerId,
      name: data.name,
      unit: data.unit,
      count: data.values.length,
      startAt: new Date(data.startMs),
      endAt: new Date(data.endMs),
      samplingRateHz: data.samplingRateHz,
      metrics,
      createdAt: row.created_at,
    });
  }

  /** The owner's series without its samples, or null: another user's id looks missing. */
  findOwned(ownerId: string, id: string, withMetrics = false): Promise<SeriesEntity | null> {
    return this.series
      .createQueryBuilder('s')
      .select(withMetrics ? [...METADATA, 's.metrics'] : METADATA)
      .where('s.id = :id AND s.owner_id = :ownerId', { id, ownerId })
      .getOne();
  }

  /**
   * Samples [from, to) of a series. Only the bytes of that window leave the database
   * (`substring` on uncompressed, out-of-line bytea reads just the TOAST chunks it needs), so a
   * window or a forecast's recent tail does not cost the whole series. `timestampRange` narrows
   * the timestamps further (the forecast needs two of them, not ten thousand).
   */
  async loadSamples(id: string, from: number, to: number, timestampRange: 'same' | 'ends' = 'same'): Promise<SeriesSamples> {
    const [row] = await this.dataSource.query(
      `SELECT substring(values_f64 FROM $2::int * 8 + 1 FOR ($3::int - $2::int) * 8) AS v,
              CASE WHEN timestamps_f64 IS NULL THEN NULL
                   WHEN $4 THEN substring(timestamps_f64 FROM $2::int * 8 + 1 FOR 8) || substring(timestamps_f64 FROM $3::int * 8 - 7 FOR 8)
                   ELSE substring(timestamps_f64 FROM $2::int * 8 + 1 FOR ($3::int - $2::int) * 8) END AS t
       FROM series WHERE id = $1`,
      [id, from, to, timestampRange === 'ends'],
    );
    if (!row) return { values: new Float64Array(0), timestamps: null };
    return { values: fromLittleEndian(row.v), timestamps: row.t ? fromLittleEndian(row.t) : null };
  }

  countOwned(ownerId: string): Promise<number> {
    return this.series.countBy({ ownerId });
  }

  /**
   * The owner's series, newest first, `limit` of them after the one with id `afterId` (keyset on
   * (created_at, id); the cursor row is looked up so created_at keeps its microseconds).
   */
  listOwned(ownerId: string, limit: number, afterId?: string): Promise<SeriesEntity[]> {
    const query = this.series
      .createQueryBuilder('s')
      .select(METADATA)
      .where('s.owner_id = :ownerId', { ownerId })
      .orderBy('s.createdAt', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .limit(limit);
    if (afterId !== undefined) {
      query.andWhere('(s.created_at, s.id) < (SELECT c.created_at, c.id FROM series c WHERE c.id = :afterId AND c.owner_id = :ownerId)', { afterId });
    }
    return query.getMany();
  }

  async deleteOwned(ownerId: string, id: string): Promise<boolean> {
    const result = await this.series.delete({ id, ownerId });
    return (result.affected ?? 0) > 0;
  }
}
