import type { TranscriptionCheckpoint } from '../audio/audio-segments';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const TRANSCRIPTION_STATUSES = ['queued', 'processing', 'completed', 'failed'] as const;
export type TranscriptionStatus = (typeof TRANSCRIPTION_STATUSES)[number];

export interface StoredSegment {
  start_s: number;
  end_s: number;
  text: string;
}

export interface StoredWord {
  word: string;
  start_s: number;
  end_s: number;
  confidence: number;
}

const bigintAsNumber = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

/**
 * The stored full-text vector: the configuration follows the language exactly as
 * searchConfigFor() does. TypeORM compares this string with the one the migration recorded in
 * typeorm_metadata, so the two must stay identical.
 */
export const SEARCH_VECTOR_EXPRESSION = `to_tsvector(CASE WHEN "language" = 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END, coalesce("text", ''))`;

// Constraint and index names match the migration, so `migration:generate` sees no difference.
@Entity({ name: 'transcriptions' })
@Check('transcriptions_status_check', `"status" IN ('queued', 'processing', 'completed', 'failed')`)
@Index('transcriptions_owner_id_created_at_idx', ['ownerId', 'createdAt', 'id'])
@Index('transcriptions_unfinished_updated_at_idx', ['updatedAt'], { where: `"status" IN ('queued', 'processing')` })
@Index('transcriptions_unexpired_completed_at_idx', ['completedAt'], { where: `"expired_at" IS NULL AND "status" IN ('completed', 'failed')` })
@Index('transcriptions_original_kept_idx', ['completedAt'], { where: `"original_erased_at" IS NULL AND "status" IN ('completed', 'failed')` })
// A GIN index, which TypeORM cannot declare: the migration creates it, schema diffs leave it alone.
@Index('transcriptions_search_vector_idx', { synchronize: false })
export class TranscriptionEntity {
  // Chosen by the API before the upload, so the object key can be built from it.
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'transcriptions_pkey' })
  id: string;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  // By table name: a feature never imports another feature's entity (npm run lint).
  @ManyToOne('users', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'transcriptions_owner_id_fkey' })
  owner?: never;

  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName: string;

  @Column({ name: 'object_key', type: 'varchar', length: 512 })
  objectKey: string;

  @Column({ name: 'size_bytes', type: 'bigint', transformer: bigintAsNumber })
  sizeBytes: number;

  /** The container the magic bytes named: wav, mp3, ogg or flac. */
  @Column({ type: 'varchar', length: 8 })
  format: string;

  /** ISO 639-1 code; also picks the full-text search configuration (see search-config.ts). */
  @Column({ type: 'varchar', length: 16 })
  language: string;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status: TranscriptionStatus;

  @Column({ type: 'smallint', default: 0 })
  progress: number;

  @Column({ name: 'duration_s', type: 'double precision', nullable: true })
  durationS: number | null;

  @Column({ type: 'text', nullable: true })
  text: string | null;

  @Column({ type: 'jsonb', nullable: true })
  segments: StoredSegment[] | null;

  @Column({ type: 'jsonb', nullable: true })
  words: StoredWord[] | null;

  /** What lowers the transcript's accuracy, said to the user (e.g. narrowband audio); empty when nothing does. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  warnings: string[];

  /**
   * While processing: the audio's cuts and the transcripts of the segments finished so far
   * (audio-segments.ts), so a redelivery resumes after the last one; cleared when completed.
   */
  @Column({ type: 'jsonb', nullable: true, select: false })
  checkpoint?: TranscriptionCheckpoint | null;

  /** The engine that produced the text, e.g. `pocketsphinx`. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  engine: string | null;

  /** Times a worker started this transcription; bounds crash loops. */
  @Column({ type: 'smallint', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  /** Bumped while a worker transcribes: the sweeper's heartbeat. */
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  /** When the audio was erased after transcription (unless RETAIN_ORIGINALS). */
  @Column({ name: 'original_erased_at', type: 'timestamptz', nullable: true })
  originalErasedAt: Date | null;

  /** When RETENTION_DAYS erased the transcript; the row stays with its times and duration. */
  @Column({ name: 'expired_at', type: 'timestamptz', nullable: true })
  expiredAt: Date | null;

  /** Written by PostgreSQL from `text` and `language`; the app only queries it. */
  @Column({
    name: 'search_vector',
    type: 'tsvector',
    nullable: true,
    select: false,
    insert: false,
    update: false,
    generatedType: 'STORED',
    asExpression: SEARCH_VECTOR_EXPRESSION,
  })
  searchVector?: string;
}
