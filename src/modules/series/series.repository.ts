import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { Pool, PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DataSource, Repository } from 'typeorm';
import type { SeriesMetrics } from './analysis/series-metrics';
import type { SeriesData } from './dto/series-input';
import { CopyFieldSink, CopyFieldSplitter, CopyRowCollector } from './encoding/binary-copy';
import { fromLittleEndian, littleEndian } from './encoding/series-encoders';
import { SeriesEntity } from './entities/series.entity';

/** A slice of a series' samples: values [from, to) and, for irregular series, their timestamps. */
export interface SeriesSamples {
  values: Float64Array;
  timestamps: Float64Array | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
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
   * window or a forecast's recent tail does not cost the whole series. `timestampRange: 'ends'`
   * narrows the timestamps to the window's first and last (what a forecast needs).
   *
   * Through `COPY ... TO STDOUT (FORMAT binary)`, not a SELECT: node-postgres reads results as
   * text, so a bytea arrives hex-encoded (16 MB of text for 1M values, encoded by the server,
   * decoded as UTF-8 then as hex by the client); binary COPY hands over the raw bytes. COPY takes
   * no parameters: the id is a checked UUID and the bounds are integers, inlined.
   */
  async loadSamples(id: string, from: number, to: number, timestampRange: 'same' | 'ends' = 'same'): Promise<SeriesSamples> {
    const sql = samplesCopy(id, from, to, timestampRange, ['values', 'timestamps']);
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      const row = new CopyRowCollector();
      const splitter = new CopyFieldSplitter(row);
      for await (const chunk of client.query(copyTo(sql))) splitter.push(chunk as Buffer);
      const [values, timestamps] = [row.field(0), row.field(1)];
      return { values: values ? fromLittleEndian(values) : new Float64Array(0), timestamps: timestamps ? fromLittleEndian(timestamps) : null };
    } finally {
      await runner.release();
    }
  }

  /**
   * Samples [from, to) as the raw binary COPY, fed chunk by chunk to `sink` (field 0 the
   * timestamps, NULL for a uniform series, field 1 the values, both little-endian float64 as
   * stored): nothing is decoded or re-assembled. After each chunk `pace()` may answer a promise to
   * wait on (the socket's backpressure); a throw there (the client went away) ends the COPY and
   * discards its connection. False when the series has no row (deleted meanwhile).
   */
  async streamSamples(id: string, from: number, to: number, sink: CopyFieldSink, pace: () => Promise<void> | undefined): Promise<boolean> {
    const sql = samplesCopy(id, from, to, 'same', ['timestamps', 'values']);
    const client = await this.pool().connect();
    let finished = false;
    try {
      const splitter = new CopyFieldSplitter(sink);
      for await (const chunk of client.query(copyTo(sql))) {
        splitter.push(chunk as Buffer);
        const wait = pace();
        if (wait) await wait;
      }
      finished = true;
      return splitter.rowSeen;
    } finally {
      // A COPY left half-read cannot be reused: the connection is closed instead.
      client.release(finished ? undefined : true);
    }
  }

  private pool(): Pool {
    return (this.dataSource.driver as unknown as { master: Pool }).master;
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

  /** User erasure: every series of the owner. */
  async deleteAllOwned(ownerId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM series WHERE owner_id = $1`, [ownerId]);
  }
}

/**
 * The COPY of samples [from, to) of series `id`: the values and the timestamps (all of the window,
 * or its first and last with `'ends'`), in the order asked. COPY takes no parameters: the id is a
 * checked UUID and the bounds are integers, inlined.
 */
function samplesCopy(id: string, from: number, to: number, timestampRange: 'same' | 'ends', order: ['values', 'timestamps'] | ['timestamps', 'values']): string {
  if (!UUID.test(id) || !Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) {
    throw new Error(`loadSamples: bad arguments ${id} ${from} ${to}`);
  }
  const start = from * 8 + 1;
  const length = (to - from) * 8;
  const columns = {
    values: `substring(values_f64 FROM ${start} FOR ${length})`,
    timestamps:
      timestampRange === 'ends'
        ? `substring(timestamps_f64 FROM ${start} FOR 8) || substring(timestamps_f64 FROM ${to * 8 - 7} FOR 8)`
        : `substring(timestamps_f64 FROM ${start} FOR ${length})`,
  };
  return `COPY (SELECT ${columns[order[0]]}, ${columns[order[1]]} FROM series WHERE id = '${id}') TO STDOUT (FORMAT binary)`;
}
