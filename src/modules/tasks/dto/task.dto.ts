import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PageQueryDto } from '../../../core/http/pagination';
import {
  MEDIA_TYPES,
  TASK_METHODS,
  TASK_OBJECTS,
  TASK_STATUSES,
  type MediaType,
  type TaskEntity,
  type TaskMethod,
  type TaskObject,
  type TaskStatus,
} from '../entities/task.entity';

export const DEFAULT_METHOD: TaskMethod = 'pixelate';
export const DEFAULT_QUALITY = 85;

/** `POST /api/v1/tasks`. Uniqueness of `objects` is checked by the service (one error per duplicate). */
export class TaskCreateDto {
  @ApiProperty({ example: 'street.jpg', description: 'Shown back to you and used for the download name' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  file_name: string;

  @ApiProperty({ enum: MEDIA_TYPES })
  @IsIn(MEDIA_TYPES)
  media_type: MediaType;

  @ApiProperty({ enum: TASK_OBJECTS, isArray: true, minItems: 1, uniqueItems: true, example: ['face', 'license_plate'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(TASK_OBJECTS.length * 4)
  @IsIn(TASK_OBJECTS, { each: true })
  objects: TaskObject[];

  @ApiPropertyOptional({ enum: TASK_METHODS, default: DEFAULT_METHOD })
  @IsOptional()
  @IsIn(TASK_METHODS)
  method?: TaskMethod;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: DEFAULT_QUALITY, description: 'Output encoding quality' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  quality?: number;
}

export class TaskLinksDto {
  @ApiProperty() self: string;
  @ApiProperty({ description: 'PUT the file here (raw body or multipart field `file`)' }) upload: string;
  @ApiProperty({ description: 'The anonymised file, once processed' }) result: string;
}

export class TaskMediaInfoDto {
  @ApiProperty({ nullable: true, type: Number }) width: number | null;
  @ApiProperty({ nullable: true, type: Number }) height: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Video only' }) frames: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Video only' }) duration_s: number | null;
}

export class TaskEngineDto {
  @ApiProperty() name: string;
  @ApiProperty() version: string;
}

/** The REST view of a task: its processing info (DESIGN §4). */
export class TaskResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: TASK_STATUSES }) status: TaskStatus;
  @ApiProperty() file_name: string;
  @ApiProperty({ enum: MEDIA_TYPES }) media_type: MediaType;
  @ApiProperty({ enum: TASK_OBJECTS, isArray: true }) objects: TaskObject[];
  @ApiProperty({ enum: TASK_METHODS }) method: TaskMethod;
  @ApiProperty() quality: number;
  @ApiProperty({ minimum: 0, maximum: 100, description: 'Video progress while processing' }) progress: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Bytes uploaded' }) size_bytes: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'The uploaded type, sniffed from the bytes' }) content_type: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) upload_time: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) processing_started_at: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) processing_finished_at: string | null;
  @ApiProperty({ nullable: true, type: Number }) processing_time_ms: number | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { face: 2, license_plate: 1 },
    description: 'Per requested type, once processed',
  })
  anonymised_objects: Partial<Record<TaskObject, number>> | null;
  @ApiProperty({ nullable: true, type: Number }) anonymised_total: number | null;
  @ApiProperty({ type: TaskMediaInfoDto }) media: TaskMediaInfoDto;
  @ApiProperty({ type: TaskEngineDto, nullable: true }) engine: TaskEngineDto | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why the task failed' }) error: string | null;
  @ApiProperty({ description: 'True once RETENTION_DAYS erased its files (then the result answers 410 TASK_RESULT_EXPIRED); the rest of the row stays' }) expired: boolean;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expired_at: string | null;
  @ApiProperty({ type: TaskLinksDto }) links: TaskLinksDto;
}

export class TaskPageDto {
  @ApiProperty({ type: [TaskResponseDto] }) items: TaskResponseDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}

export class TaskListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TASK_STATUSES })
  @IsOptional()
  @Type(() => String)
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;
}

export function taskLinks(id: string): TaskLinksDto {
  return { self: `/api/v1/tasks/${id}`, upload: `/api/v1/tasks/${id}/file`, result: `/api/v1/tasks/${id}/result` };
}

export function toTaskResponse(task: TaskEntity): TaskResponseDto {
  const counts = task.status === 'processed' || (task.status === 'deleted' && task.processingFinishedAt && !task.error) ? task.counts ?? [] : null;
  const anonymised = counts ? Object.fromEntries(task.objects.map((o) => [o, counts.find((c) => c.objectType === o)?.count ?? 0])) : null;
  return {
    id: task.id,
    status: task.status,
    file_name: task.fileName,
    media_type: task.mediaType,
    objects: task.objects,
    method: task.method,
    quality: task.quality,
    progress: task.progress,
    size_bytes: task.sizeBytes,
    content_type: task.inputContentType,
    created_at: task.createdAt.toISOString(),
    upload_time: task.uploadedAt?.toISOString() ?? null,
    processing_started_at: task.processingStartedAt?.toISOString() ?? null,
    processing_finished_at: task.processingFinishedAt?.toISOString() ?? null,
    processing_time_ms: task.processingTimeMs,
    anonymised_objects: anonymised,
    anonymised_total: anonymised ? Object.values(anonymised).reduce((a, b) => a + b, 0) : null,
    media: { width: task.width, height: task.height, frames: task.frameCount, duration_s: task.durationS },
    engine: task.engine ? { name: task.engine, version: task.engineVersion ?? '' } : null,
    error: task.error,
    expired: task.expiredAt !== null,
    expired_at: task.expiredAt?.toISOString() ?? null,
    links: taskLinks(task.id),
  };
}
