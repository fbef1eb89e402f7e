import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const JOB_STATUSES = ['queued', 'processing', 'completed', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

const bigintAsNumber = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

// Constraint and index names match the migration, so `migration:generate` sees no difference.
@Entity({ name: 'jobs' })
@Check('jobs_status_check', `"status" IN ('queued', 'processing', 'completed', 'failed')`)
@Index('jobs_owner_id_created_at_idx', ['ownerId', 'createdAt', 'id'])
@Index('jobs_unfinished_updated_at_idx', ['updatedAt'], { where: `"status" IN ('queued', 'processing')` })
@Index('jobs_unexpired_completed_at_idx', ['completedAt'], { where: `"expired_at" IS NULL AND "status" IN ('completed', 'failed')` })
export class JobEntity {
  // Chosen by the API before the upload, so the object key can be built from it.
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'jobs_pkey' })
  id: string;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  // By table name: a feature never imports another feature's entity (npm run lint).
  @ManyToOne('users', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'jobs_owner_id_fkey' })
  owner?: never;

  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName: string;

  @Column({ name: 'object_key', type: 'varchar', length: 512 })
  objectKey: string;

  @Column({ name: 'size_bytes', type: 'bigint', transformer: bigintAsNumber })
  sizeBytes: number;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status: JobStatus;

  @Column({ type: 'smallint', default: 0 })
  progress: number;

  /** The checkpoint: every line up to this one is committed (entries and rejections). */
  @Column({ name: 'lines_read', type: 'integer', default: 0 })
  linesRead: number;

  /** Byte offset just after line `lines_read`: where a resumed ingest starts reading. */
  @Column({ name: 'bytes_read', type: 'bigint', default: 0, transformer: bigintAsNumber })
  bytesRead: number;

  @Column({ name: 'entries_ingested', type: 'integer', default: 0 })
  entriesIngested: number;

  @Column({ name: 'lines_rejected', type: 'integer', default: 0 })
  linesRejected: number;

  /** Starts (and resumes) since the last committed batch; bounds crash loops. */
  @Column({ type: 'smallint', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  /** Bumped by every checkpoint: the sweeper's heartbeat. */
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  /** When RETENTION_DAYS erased the file, entries and rejections; the row and its counts stay. */
  @Column({ name: 'expired_at', type: 'timestamptz', nullable: true })
  expiredAt: Date | null;
}
