import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { TaskObjectCountEntity } from './task-object-count.entity';

export const TASK_STATUSES = ['new', 'queued', 'processing', 'processed', 'failed', 'deleted'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TASK_OBJECTS = ['face', 'person', 'license_plate', 'vehicle'] as const;
export type TaskObject = (typeof TASK_OBJECTS)[number];
export const TASK_METHODS = ['pixelate', 'blur', 'mask'] as const;
export type TaskMethod = (typeof TASK_METHODS)[number];
export const MEDIA_TYPES = ['image', 'video'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

const bigintAsNumber = { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

// Constraint and index names match the migration, so `migration:generate` sees no difference.
@Entity({ name: 'tasks' })
@Check('tasks_status_check', `"status" IN ('new', 'queued', 'processing', 'processed', 'failed', 'deleted')`)
@Check('tasks_media_type_check', `"media_type" IN ('image', 'video')`)
@Check('tasks_method_check', `"method" IN ('pixelate', 'blur', 'mask')`)
@Index('tasks_owner_id_created_at_idx', ['ownerId', 'createdAt', 'id'])
@Index('tasks_unfinished_updated_at_idx', ['updatedAt'], { where: `"status" IN ('queued', 'processing')` })
@Index('tasks_unexpired_finished_at_idx', ['processingFinishedAt'], { where: `"expired_at" IS NULL AND "status" IN ('processed', 'failed')` })
@Index('tasks_original_kept_idx', ['processingFinishedAt'], { where: `"original_erased_at" IS NULL AND "status" IN ('processed', 'failed')` })
export class TaskEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'tasks_pkey' })
  id: string;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  // By table name: a feature never imports another feature's entity (npm run lint).
  @ManyToOne('users', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'tasks_owner_id_fkey' })
  owner?: never;

  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName: string;

  @Column({ name: 'media_type', type: 'varchar', length: 8 })
  mediaType: MediaType;

  /** What to hide, in the order the client gave; unique (checked by the API). */
  @Column({ type: 'varchar', length: 16, array: true })
  objects: TaskObject[];

  @Column({ type: 'varchar', length: 16 })
  method: TaskMethod;

  /** Output quality (JPEG/WebP/x264), 1-100. */
  @Column({ type: 'smallint' })
  quality: number;

  @Column({ type: 'varchar', length: 16, default: 'new' })
  status: TaskStatus;

  /** Video only: 0-100 while processing. */
  @Column({ type: 'smallint', default: 0 })
  progress: number;

  @Column({ name: 'input_key', type: 'varchar', length: 512, nullable: true })
  inputKey: string | null;

  /** The sniffed type of the upload (never the client's claim). */
  @Column({ name: 'input_content_type', type: 'varchar', length: 64, nullable: true })
  inputContentType: string | null;

  @Column({ name: 'size_bytes', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  sizeBytes: number | null;

  @Column({ name: 'result_key', type: 'varchar', length: 512, nullable: true })
  resultKey: string | null;

  @Column({ name: 'result_content_type', type: 'varchar', length: 64, nullable: true })
  resultContentType: string | null;

  @Column({ name: 'result_size_bytes', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  resultSizeBytes: number | null;

  @Column({ type: 'integer', nullable: true })
  width: number | null;

  @Column({ type: 'integer', nullable: true })
  height: number | null;

  @Column({ name: 'frame_count', type: 'integer', nullable: true })
  frameCount: number | null;

  @Column({ name: 'duration_s', type: 'double precision', nullable: true })
  durationS: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  engine: string | null;

  @Column({ name: 'engine_version', type: 'varchar', length: 100, nullable: true })
  engineVersion: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** Times a worker started this task; bounds crash loops. */
  @Column({ type: 'smallint', default: 0 })
  attempts: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  /** The sweeper's heartbeat: bumped by every status or progress change. */
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'uploaded_at', type: 'timestamptz', nullable: true })
  uploadedAt: Date | null;

  @Column({ name: 'processing_started_at', type: 'timestamptz', nullable: true })
  processingStartedAt: Date | null;

  @Column({ name: 'processing_finished_at', type: 'timestamptz', nullable: true })
  processingFinishedAt: Date | null;

  @Column({ name: 'processing_time_ms', type: 'integer', nullable: true })
  processingTimeMs: number | null;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  /** When the uploaded original was erased after processing (unless RETAIN_ORIGINALS). */
  @Column({ name: 'original_erased_at', type: 'timestamptz', nullable: true })
  originalErasedAt: Date | null;

  /** When RETENTION_DAYS erased the result; the processing info stays. */
  @Column({ name: 'expired_at', type: 'timestamptz', nullable: true })
  expiredAt: Date | null;

  @OneToMany(() => TaskObjectCountEntity, (count) => count.task)
  counts?: TaskObjectCountEntity[];
}
