import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Exclude, Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  Min,
  registerDecorator,
  ValidateNested,
  ValidationArguments,
  isISO8601,
} from 'class-validator';
import type { EcgLeadEntity } from '../entities/ecg-lead.entity';
import type { EcgEntity, EcgStatus } from '../entities/ecg.entity';
import { ECG_STATUSES } from '../entities/ecg.entity';
import { IsInt32Array } from './int32-array.validator';

export const LEAD_NAMES = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;
export type LeadName = (typeof LEAD_NAMES)[number];

// Not only dots: `.` and `..` are path segments, so the resource's own `links.self` could never reach it.
export const ECG_ID_PATTERN = /^(?!\.+$)[A-Za-z0-9._-]{1,64}$/;
export const MAX_SAMPLING_RATE_HZ = 100_000;

// A calendar date, optionally with a time of day and an offset; week and ordinal dates, which
// ISO-8601 also allows, are refused because nobody sends them and JavaScript cannot parse them.
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO-8601 date or date-time that names a real instant (no 2024-02-30). */
function IsIsoTimestamp(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isIsoTimestamp',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && ISO_TIMESTAMP.test(value) && isISO8601(value, { strict: true }) && parseTimestamp(value) !== undefined,
        defaultMessage: ({ property }: ValidationArguments) =>
          `${property} must be an ISO-8601 date or date-time, e.g. 2025-11-22T10:15:00Z`,
      },
    });
}

/**
 * A date-time without an offset is read as UTC, never as the server's local time. Years 1 to 9999
 * (in UTC): PostgreSQL has no year 0, and five-digit years do not round-trip through ISO strings.
 */
export function parseTimestamp(value: string): Date | undefined {
  const hasTime = value.includes('T');
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/.test(value);
  const date = new Date(hasTime && !hasOffset ? `${value}Z` : value);
  const year = date.getUTCFullYear();
  return Number.isFinite(date.getTime()) && year >= 1 && year <= 9999 ? date : undefined;
}

/** `number_of_samples`, when sent, must say how long `signal` is (a cheap check against truncation). */
function MatchesSignalLength(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'matchesSignalLength',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        // When `signal` is not an array its own rule reports it; one error per mistake is enough.
        validate: (value: unknown, { object }: ValidationArguments) => {
          const signal: unknown = (object as EcgLeadCreateDto).signal;
          return !(Array.isArray(signal) || signal instanceof Int32Array) || value === signal.length;
        },
        defaultMessage: ({ property, value, object }: ValidationArguments) =>
          `${property} is ${value} but signal has ${(object as EcgLeadCreateDto).signal.length} samples`,
      },
    });
}

export class EcgLeadCreateDto {
  @ApiProperty({ enum: LEAD_NAMES, example: 'II' })
  @IsIn(LEAD_NAMES, { message: `name must be one of ${LEAD_NAMES.join(', ')}` })
  name: LeadName;

  @ApiPropertyOptional({ description: 'When given, must equal the length of `signal`', example: 5000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @MatchesSignalLength()
  number_of_samples?: number;

  @ApiProperty({ type: [Number], description: 'Samples as 32-bit signed integers, at least one', example: [0, 12, 48, 310, 42, -20] })
  @IsInt32Array()
  // Not copied by class-transformer, which would rebuild it one element at a time (and turn an
  // Int32Array into a plain array); EcgCreateDto.leads hands the parsed value over as it is.
  @Exclude({ toClassOnly: true })
  signal: number[] | Int32Array;
}

/** Puts each parsed lead's `signal` array, untouched, on the lead instance built from it. */
function keepParsedSignals({ value, obj }: { value: unknown; obj: { leads?: unknown } }): unknown {
  if (Array.isArray(value) && Array.isArray(obj.leads)) {
    value.forEach((lead: unknown, index) => {
      const parsed: unknown = (obj.leads as unknown[])[index];
      if (lead instanceof EcgLeadCreateDto && typeof parsed === 'object' && parsed !== null && 'signal' in parsed) {
        lead.signal = parsed.signal as EcgLeadCreateDto['signal'];
      }
    });
  }
  return value;
}

export class EcgCreateDto {
  @ApiPropertyOptional({
    description: 'Your id for this ECG (unique among your ECGs); a UUID is generated when omitted',
    pattern: ECG_ID_PATTERN.source,
    example: 'patient-42.2025-11-22',
  })
  @IsOptional()
  @IsString()
  @Matches(ECG_ID_PATTERN, { message: 'id must be 1-64 letters, digits, ".", "_" or "-", and not only dots' })
  id?: string;

  @ApiProperty({ description: 'When the ECG was recorded (ISO-8601; UTC when no offset is given)', example: '2025-11-22T10:15:00Z' })
  @IsIsoTimestamp()
  date: string;

  @ApiPropertyOptional({ description: 'Samples per second; enables R-peak detection and heart rate', example: 500, maximum: MAX_SAMPLING_RATE_HZ })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(MAX_SAMPLING_RATE_HZ)
  sampling_rate_hz?: number;

  @ApiProperty({ type: [EcgLeadCreateDto], minItems: 1, maxItems: LEAD_NAMES.length, description: 'Lead names are unique within an ECG' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(LEAD_NAMES.length)
  @ValidateNested({ each: true })
  @Type(() => EcgLeadCreateDto)
  @Transform(keepParsedSignals, { toClassOnly: true })
  leads: EcgLeadCreateDto[];
}

export class EcgLinksDto {
  @ApiProperty({ example: '/api/v1/ecgs/patient-42.2025-11-22' }) self: string;
}

export class EcgAcceptedDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['queued'] }) status: 'queued';
  @ApiProperty({ type: EcgLinksDto }) links: EcgLinksDto;
}

export class EcgLeadResponseDto {
  @ApiProperty({ enum: LEAD_NAMES }) name: string;
  @ApiProperty() number_of_samples: number;
  // The analysis keys below appear once the ECG is completed; the registry may add more.
  @ApiPropertyOptional({ description: 'Sign changes, zeros skipped' }) zero_crossings?: number;
  @ApiPropertyOptional({ type: Number, nullable: true }) min?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) max?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) mean?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'null without sampling_rate_hz' }) r_peak_count?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'null without sampling_rate_hz or with fewer than two beats' })
  heart_rate_bpm?: number | null;
  [insight: string]: unknown;
}

export class EcgResponseDto {
  @ApiProperty() id: string;
  @ApiProperty({ format: 'date-time' }) date: string;
  @ApiProperty({ type: Number, nullable: true }) sampling_rate_hz: number | null;
  @ApiProperty({ enum: ECG_STATUSES }) status: EcgStatus;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) processed_at: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why processing failed' }) error: string | null;
  @ApiProperty({ type: [EcgLeadResponseDto] }) leads: EcgLeadResponseDto[];
  @ApiPropertyOptional({ description: 'Present once computed (needs sampling_rate_hz)' }) heart_rate_bpm?: number;
}

export class EcgSummaryDto {
  @ApiProperty() id: string;
  @ApiProperty({ format: 'date-time' }) date: string;
  @ApiProperty({ enum: ECG_STATUSES }) status: EcgStatus;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) processed_at: string | null;
  @ApiProperty() number_of_leads: number;
}

export class EcgPageDto {
  @ApiProperty({ type: [EcgSummaryDto] }) items: EcgSummaryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last' }) next_cursor: string | null;
}

export function ecgLink(id: string): string {
  return `/api/v1/ecgs/${encodeURIComponent(id)}`;
}

export function toEcgAccepted(ecg: Pick<EcgEntity, 'id'>): EcgAcceptedDto {
  return { id: ecg.id, status: 'queued', links: { self: ecgLink(ecg.id) } };
}

function toEcgLeadResponse(lead: EcgLeadEntity, completed: boolean): EcgLeadResponseDto {
  const base = { name: lead.name, number_of_samples: lead.numberOfSamples };
  // Stored insights never hold `name` or `number_of_samples` (runAnalyses reserves them).
  return completed && lead.insights ? { ...base, ...lead.insights } : base;
}

export function toEcgResponse(ecg: EcgEntity): EcgResponseDto {
  const completed = ecg.status === 'completed';
  return {
    id: ecg.id,
    date: ecg.date.toISOString(),
    sampling_rate_hz: ecg.samplingRateHz,
    status: ecg.status,
    created_at: ecg.createdAt.toISOString(),
    processed_at: ecg.processedAt?.toISOString() ?? null,
    error: ecg.error,
    leads: (ecg.leads ?? []).map((lead) => toEcgLeadResponse(lead, completed)),
    ...(completed && ecg.heartRateBpm !== null ? { heart_rate_bpm: ecg.heartRateBpm } : {}),
  };
}

export function toEcgSummary(ecg: EcgEntity): EcgSummaryDto {
  return {
    id: ecg.id,
    date: ecg.date.toISOString(),
    status: ecg.status,
    created_at: ecg.createdAt.toISOString(),
    processed_at: ecg.processedAt?.toISOString() ?? null,
    number_of_leads: ecg.numberOfLeads ?? 0,
  };
}
