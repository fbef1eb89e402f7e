import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { AppConfig } from '../../core/config/app-config';
import { decodeCursor, Page, PageQueryDto, toPage } from '../../core/http/pagination';
import { computeMetrics, SeriesMetrics } from './analysis/series-metrics';
import { parseCsvSeries, parseJsonSeries, SeriesData } from './dto/series-input';
import { SeriesReadQueryDto, SeriesResponseDto, toSeriesResponse } from './dto/series.dto';
import { minMaxBuckets } from './encoding/downsample';
import { EncodedPointsCache } from './encoding/encoded-points.cache';
import type { CopyFieldSink } from './encoding/binary-copy';
import { PointSource, timeAtOf } from './encoding/series-encoders';
import { PointFormatEngine } from './encoding/point-format.engine';
import type { SeriesFormat } from './encoding/series-response';
import { SeriesEntity } from './entities/series.entity';
import { SeriesError } from './series.errors';
import { SeriesRepository } from './series.repository';

/** A read: the series' metadata and the points as binary, as text pieces, or as the bytes kept from an earlier read. */
export interface SeriesRead {
  series: SeriesEntity;
  format: SeriesFormat;
  /** A binary read's points (a downsampled or empty window: a plain window is `stream`). */
  points?: PointSource;
  /** The encoded points of an earlier full read in this format. */
  cached?: Buffer[];
  /** Set for a full read in a text format: hand the encoded pieces back to keep them. */
  keep?: (pieces: Buffer[]) => void;
  /** A text read's points as pieces (PointFormatEngine: worker threads for a large contiguous window). */
  formatted?: AsyncIterable<Buffer>;
  /** A binary read of a window (not downsampled): the stored bytes, streamed as they come from the database. */
  stream?: BinaryStream;
}

/** The window of a binary read and how to stream its stored bytes (see SeriesRepository.streamSamples). */
export interface BinaryStream {
  count: number;
  /** Epoch ms of point i of the window, for a uniform series (whose timestamps are not stored). */
  timeAt: (index: number) => number;
  copy: (sink: CopyFieldSink, pace: () => Promise<void> | undefined) => Promise<boolean>;
}

/** Storing, reading, listing, counting and deleting series; forecasts are SeriesForecastService. */
@Injectable()
export class SeriesService {
  constructor(
    private readonly repository: SeriesRepository,
    private readonly config: AppConfig,
    private readonly encoded: EncodedPointsCache,
    private readonly formatter: PointFormatEngine,
  ) {}

  /** Validates either JSON form, computes the metrics once and stores one row. */
  storeJson(ownerId: string, body: unknown): Promise<SeriesEntity> {
    return this.store(ownerId, parseJsonSeries(body, this.config.seriesMaxPoints));
  }

  storeCsv(ownerId: string, text: string, label: { name?: string; unit?: string }): Promise<SeriesEntity> {
    return this.store(ownerId, parseCsvSeries(text, label.name ?? null, label.unit ?? null, this.config.seriesMaxPoints));
  }

  private store(ownerId: string, data: SeriesData): Promise<SeriesEntity> {
    const metrics = computeMetrics({ values: data.values, startMs: data.startMs, endMs: data.endMs, samplingRateHz: uniformRate(data) });
    return this.repository.insert(ownerId, data, metrics);
  }

  async getSeries(ownerId: string, id: string, withMetrics = false): Promise<SeriesEntity> {
    // An id no series can have never reaches the database (PostgreSQL would refuse it as a uuid).
    const series = isUUID(id) ? await this.repository.findOwned(ownerId, id, withMetrics) : null;
    if (!series) throw SeriesError.notFound(id);
    return series;
  }

  async getMetrics(ownerId: string, id: string): Promise<SeriesMetrics> {
    return (await this.getSeries(ownerId, id, true)).metrics;
  }

  /**
   * The points of the `offset`/`limit` window, downsampled to `max_points` when asked. A full
   * read in JSON or CSV (every point) is answered from EncodedPointsCache when an earlier one was
   * kept, without loading the samples: the series exists and is the caller's (just checked), and
   * stored series never change.
   */
  async read(ownerId: string, id: string, query: SeriesReadQueryDto, format: SeriesFormat): Promise<SeriesRead> {
    const series = await this.getSeries(ownerId, id);
    const from = Math.min(query.offset ?? 0, series.count);
    const to = query.limit === undefined ? series.count : Math.min(series.count, from + query.limit);
    const length = to - from;
    if (length === 0) return this.pointsRead(series, format, { values: new Float64Array(0), timeAt: () => 0, indexes: { from: 0, to: 0 } });
    const sampled = query.max_points !== undefined && length > query.max_points;
    if (format === 'binary' && !sampled) {
      const startMs = series.startAt.getTime();
      const rate = series.samplingRateHz;
      const timeAt = (i: number) => startMs + ((from + i) * 1000) / rate!;
      return { series, format, stream: { count: length, timeAt, copy: (sink, pace) => this.repository.streamSamples(series.id, from, to, sink, pace) } };
    }
    const keepable = format !== 'binary' && from === 0 && to === series.count && !sampled;
    if (keepable) {
      const cached = this.encoded.get(series.id, format);
      if (cached) return { series, format, cached };
    }
    const samples = await this.repository.loadSamples(series.id, from, to);
    const startMs = series.startAt.getTime();
    const rate = series.samplingRateHz;
    // Indexes below are relative to the loaded window; uniform timestamps need the absolute index.
    const times = samples.timestamps ?? { startMs, rate: rate!, offset: from };
    const indexes = sampled ? minMaxBuckets(samples.values, 0, length, query.max_points!) : { from: 0, to: length };
    const points: PointSource = { values: samples.values, timeAt: timeAtOf(times), indexes, times };
    return { ...this.pointsRead(series, format, points), ...(keepable ? { keep: (pieces: Buffer[]) => this.encoded.set(series.id, format, pieces) } : {}) };
  }

  /** Binary points are encoded by the response; text goes through the formatting engine. */
  private pointsRead(series: SeriesEntity, format: SeriesFormat, points: PointSource): SeriesRead {
    return format === 'binary' ? { series, format, points } : { series, format, formatted: this.formatter.pieces(points, format) };
  }

  async listSeries(ownerId: string, { limit, cursor }: PageQueryDto): Promise<Page<SeriesResponseDto>> {
    const after = decodeCursor<{ k: string }>(cursor, { k: 'uuid' });
    const rows = await this.repository.listOwned(ownerId, limit + 1, after?.k);
    return toPage(rows, limit, toSeriesResponse, (series) => ({ k: series.id }));
  }

  countSeries(ownerId: string): Promise<number> {
    return this.repository.countOwned(ownerId);
  }

  async deleteSeries(ownerId: string, id: string): Promise<void> {
    const deleted = isUUID(id) && (await this.repository.deleteOwned(ownerId, id));
    if (!deleted) throw SeriesError.notFound(id);
    this.encoded.forget(id);
  }
}

/**
 * The sampling rate when samples are evenly spaced: the uniform form says so; points whose
 * intervals are all equal (to the millisecond) count too, so their spectrum is meaningful.
 */
function uniformRate(data: SeriesData): number | null {
  if (data.samplingRateHz !== null) return data.samplingRateHz;
  const t = data.timestamps!;
  if (t.length < 2) return null;
  const step = t[1] - t[0];
  for (let i = 2; i < t.length; i++) if (t[i] - t[i - 1] !== step) return null;
  return 1000 / step;
}
