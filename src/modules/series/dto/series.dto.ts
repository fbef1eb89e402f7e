import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { FORECAST_METHODS } from '../analysis/forecast';
import type { SeriesEntity } from '../entities/series.entity';
import { MAX_SAMPLING_RATE_HZ, NAME_MAX, UNIT_MAX } from './series-input';

export const FORECAST_HORIZON_MAX = 10_000;
export const MAX_POINTS_MAX = 100_000;

// ---- request bodies (documentation; the store route validates its body by hand, see series-input.ts)

export class SeriesPointDto {
  @ApiProperty({ format: 'date-time', example: '2025-11-22T10:15:00.000Z', description: 'ISO-8601; UTC when no offset; kept to the millisecond' })
  timestamp: string;
  @ApiProperty({ example: 0.1, description: 'A finite number' }) value: number;
}

export class SeriesPointsCreateDto {
  @ApiPropertyOptional({ maxLength: NAME_MAX, example: 'pump-3 vibration' }) name?: string;
  @ApiPropertyOptional({ maxLength: UNIT_MAX, example: 'mm/s' }) unit?: string;
  @ApiProperty({ type: [SeriesPointDto], minItems: 1, description: 'Any order; stored in time order; timestamps unique' })
  points: SeriesPointDto[];
}

export class SeriesUniformCreateDto {
  @ApiPropertyOptional({ maxLength: NAME_MAX }) name?: string;
  @ApiPropertyOptional({ maxLength: UNIT_MAX }) unit?: string;
  @ApiProperty({ format: 'date-time', example: '2025-11-22T10:15:00Z', description: 'Timestamp of values[0]' }) start: string;
  @ApiProperty({ exclusiveMinimum: true, minimum: 0, maximum: MAX_SAMPLING_RATE_HZ, example: 100 }) sampling_rate_hz: number;
  @ApiProperty({ type: [Number], minItems: 1, example: [0.1, 0.5, -0.2] }) values: number[];
}

export class SeriesCsvQueryDto {
  @ApiPropertyOptional({ maxLength: NAME_MAX, description: 'Name of a series sent as text/csv' })
  @IsOptional()
  @IsString()
  @MaxLength(NAME_MAX)
  name?: string;

  @ApiPropertyOptional({ maxLength: UNIT_MAX, description: 'Unit of a series sent as text/csv' })
  @IsOptional()
  @IsString()
  @MaxLength(UNIT_MAX)
  unit?: string;
}

export class SeriesReadQueryDto {
  @ApiPropertyOptional({ minimum: 1, description: 'At most this many points, from `offset` (default: all)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'Skip this many points (in time order)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;

  @ApiPropertyOptional({
    minimum: 2,
    maximum: MAX_POINTS_MAX,
    description: 'Downsample for a plot: at most this many points, each bucket keeping its minimum and maximum (so peaks stay visible)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(MAX_POINTS_MAX)
  max_points?: number;
}

export class SeriesForecastQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: FORECAST_HORIZON_MAX, default: 10, description: 'Points to forecast' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(FORECAST_HORIZON_MAX)
  horizon: number = 10;

  @ApiPropertyOptional({ enum: ['auto', ...FORECAST_METHODS], default: 'auto' })
  @IsOptional()
  @IsIn(['auto', ...FORECAST_METHODS], { message: `method must be one of auto, ${FORECAST_METHODS.join(', ')}` })
  method: 'auto' | (typeof FORECAST_METHODS)[number] = 'auto';
}

// ---- responses

export class SeriesLinksDto {
  @ApiProperty({ example: '/api/v1/series/4f7c…' }) self: string;
  @ApiProperty({ example: '/api/v1/series/4f7c…/metrics' }) metrics: string;
  @ApiProperty({ example: '/api/v1/series/4f7c…/forecast' }) forecast: string;
}

export class SeriesResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty({ type: String, nullable: true }) unit: string | null;
  @ApiProperty({ description: 'Number of points' }) count: number;
  @ApiProperty({ format: 'date-time' }) start: string;
  @ApiProperty({ format: 'date-time' }) end: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ type: SeriesLinksDto }) links: SeriesLinksDto;
}

export class SeriesPageDto {
  @ApiProperty({ type: [SeriesResponseDto] }) items: SeriesResponseDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last' }) next_cursor: string | null;
}

export class SeriesCountDto {
  @ApiProperty({ example: 3 }) count: number;
}

export class SeriesWithPointsDto extends SeriesResponseDto {
  @ApiProperty({ type: [SeriesPointDto], description: 'In time order; the `offset`/`limit` window, downsampled when `max_points` is given' })
  points: SeriesPointDto[];
}

export class SeriesMetricsDto {
  @ApiProperty() count: number;
  @ApiProperty() min: number;
  @ApiProperty() max: number;
  @ApiProperty() mean: number;
  @ApiProperty({ description: 'The 0.5 quantile (linear interpolation)' }) median: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Sample standard deviation (n-1); null for one point' }) std: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Sample variance (n-1); null for one point' }) variance: number | null;
  @ApiProperty({ description: 'Root mean square' }) rms: number;
  @ApiProperty({ description: 'max |x|' }) peak: number;
  @ApiProperty({ description: 'max - min' }) peak_to_peak: number;
  @ApiProperty({ type: Number, nullable: true, description: 'peak / rms; null when rms is 0' }) crest_factor: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'm3 / m2^1.5 (population moments); null without spread' }) skewness: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Pearson: m4 / m2² (normal = 3); null without spread' }) kurtosis: number | null;
  @ApiProperty({ description: 'The 0.05 quantile' }) p05: number;
  @ApiProperty({ description: 'The 0.95 quantile' }) p95: number;
  @ApiProperty({ format: 'date-time' }) start: string;
  @ApiProperty({ format: 'date-time' }) end: string;
  @ApiProperty() duration_s: number;
  @ApiProperty({ type: Number, nullable: true, description: 'duration / (count - 1); null for one point' }) mean_interval_s: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Present when sampling is uniform: the Welch spectrum peak' })
  dominant_frequency_hz?: number | null;
}

export class SeriesForecastPointDto {
  @ApiProperty({ format: 'date-time' }) timestamp: string;
  @ApiProperty() value: number;
  @ApiProperty({ description: 'Lower bound of the 95 % prediction interval' }) lower: number;
  @ApiProperty({ description: 'Upper bound of the 95 % prediction interval' }) upper: number;
}

export class SeriesBacktestDto {
  @ApiProperty() rmse: number;
  @ApiProperty() mae: number;
  @ApiProperty({ description: 'Points held out at the end of the window' }) holdout: number;
}

export class SeriesSeasonDto {
  @ApiProperty({ description: 'Season length in samples' }) length: number;
  @ApiProperty({ enum: ['autocorrelation'] }) detected_by: 'autocorrelation';
}

export class SeriesForecastDto {
  @ApiProperty({ enum: FORECAST_METHODS, description: 'The method used (the winner when `auto` was asked)' }) method: string;
  @ApiProperty() horizon: number;
  @ApiProperty({ type: [SeriesForecastPointDto] }) points: SeriesForecastPointDto[];
  @ApiProperty({ type: SeriesBacktestDto, description: 'Errors of this method forecasting the held-out tail of the window' })
  backtest: SeriesBacktestDto;
  @ApiPropertyOptional({ type: SeriesSeasonDto, description: 'Holt-Winters only' }) season?: SeriesSeasonDto;
  @ApiProperty({ description: 'Points the models were fitted on (the most recent ones)' }) fitted_on: number;
}

export function seriesLink(id: string): string {
  return `/api/v1/series/${id}`;
}

export function toSeriesResponse(series: SeriesEntity): SeriesResponseDto {
  const self = seriesLink(series.id);
  return {
    id: series.id,
    name: series.name,
    unit: series.unit,
    count: series.count,
    start: series.startAt.toISOString(),
    end: series.endAt.toISOString(),
    created_at: series.createdAt.toISOString(),
    links: { self, metrics: `${self}/metrics`, forecast: `${self}/forecast` },
  };
}
