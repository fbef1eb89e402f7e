import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../../core/http/pagination';
import { IsIsoInstant } from '../../../core/time/is-iso-instant.decorator';
import { JOB_STATUSES, JobEntity, type JobStatus } from '../entities/job.entity';
import type { LogEntryEntity } from '../entities/log-entry.entity';
import type { LogRejectionEntity } from '../entities/log-rejection.entity';
import { LOG_LEVELS, type LogLevel } from '../ingest/log-entry';

export class JobLinksDto {
  @ApiProperty() self: string;
  @ApiProperty() entries: string;
  @ApiProperty() rejections: string;
  @ApiProperty({ description: 'Plain WebSocket with live status' }) ws: string;
}

export class JobAcceptedDto {
  @ApiProperty({ format: 'uuid' }) job_id: string;
  @ApiProperty({ enum: ['queued'] }) status: 'queued';
  @ApiProperty() file_name: string;
  @ApiProperty() size_bytes: number;
  @ApiProperty({ type: JobLinksDto }) links: JobLinksDto;
}

export class JobResponseDto {
  @ApiProperty({ format: 'uuid' }) job_id: string;
  @ApiProperty() file_name: string;
  @ApiProperty() size_bytes: number;
  @ApiProperty({ enum: JOB_STATUSES }) status: JobStatus;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress: number;
  @ApiProperty({ description: 'Lines read so far, blank lines included' }) lines_read: number;
  @ApiProperty() entries_ingested: number;
  @ApiProperty() lines_rejected: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) started_at: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completed_at: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why the job failed' }) error: string | null;
  @ApiProperty({ description: 'True once RETENTION_DAYS erased its file, entries and rejections (then 410 JOB_EXPIRED); the rest of the row stays' }) expired: boolean;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expired_at: string | null;
  @ApiProperty({ type: JobLinksDto }) links: JobLinksDto;
}

export class JobPageDto {
  @ApiProperty({ type: [JobResponseDto] }) items: JobResponseDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}

export class EntryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: LOG_LEVELS, description: 'Case-insensitive; WARN and FATAL are aliases' })
  @IsOptional()
  // Any case (`Info`, `warn`), as the ingest reads levels; a repeated ?level= stays an array and fails.
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsIn([...LOG_LEVELS, 'WARN', 'FATAL'], { message: `level must be one of ${[...LOG_LEVELS, 'WARN', 'FATAL'].join(', ')} (any case)` })
  level?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(200) service?: string;

  @ApiPropertyOptional({ description: 'Full-text search on the message (web search syntax: "quoted phrase", or, -not)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Entries at or after this instant: `2024-05-01T12:00:00Z`, `2024-05-01T14:00:00.5+02:00`, or a date (midnight UTC)',
  })
  @IsOptional()
  @IsIsoInstant({ dateOnly: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Entries before this instant (same forms as `from`)' })
  @IsOptional()
  @IsIsoInstant({ dateOnly: true })
  to?: string;
}

export class LogEntryDto {
  @ApiProperty({ description: '1-based line number in the file' }) line: number;
  @ApiProperty({ format: 'date-time' }) timestamp: string;
  @ApiProperty({ enum: LOG_LEVELS }) level: LogLevel;
  @ApiProperty({ nullable: true, type: String }) service: string | null;
  @ApiProperty() message: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) attributes: Record<string, unknown>;
}

export class LogEntryPageDto {
  @ApiProperty({ type: [LogEntryDto] }) items: LogEntryDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}

export class RejectionDto {
  @ApiProperty({ description: '1-based line number in the file' }) line: number;
  @ApiProperty() reason: string;
}

export class RejectionPageDto {
  @ApiProperty({ type: [RejectionDto] }) items: RejectionDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}

export function jobLinks(id: string): JobLinksDto {
  return {
    self: `/api/v1/jobs/${id}`,
    entries: `/api/v1/jobs/${id}/entries`,
    rejections: `/api/v1/jobs/${id}/rejections`,
    ws: `/ws/jobs/${id}`,
  };
}

export function toJobResponse(job: JobEntity): JobResponseDto {
  return {
    job_id: job.id,
    file_name: job.fileName,
    size_bytes: job.sizeBytes,
    status: job.status,
    progress: job.progress,
    lines_read: job.linesRead,
    entries_ingested: job.entriesIngested,
    lines_rejected: job.linesRejected,
    created_at: job.createdAt.toISOString(),
    started_at: job.startedAt?.toISOString() ?? null,
    completed_at: job.completedAt?.toISOString() ?? null,
    error: job.error,
    expired: job.expiredAt !== null,
    expired_at: job.expiredAt?.toISOString() ?? null,
    links: jobLinks(job.id),
  };
}

export function toJobAccepted(job: JobEntity): JobAcceptedDto {
  return { job_id: job.id, status: 'queued', file_name: job.fileName, size_bytes: job.sizeBytes, links: jobLinks(job.id) };
}

export function toLogEntry(entry: LogEntryEntity): LogEntryDto {
  return {
    line: entry.lineNo,
    timestamp: entry.timestamp.toISOString(),
    level: entry.level,
    service: entry.service,
    message: entry.message,
    attributes: entry.attributes,
  };
}

export function toRejection(rejection: LogRejectionEntity): RejectionDto {
  return { line: rejection.lineNo, reason: rejection.reason };
}
