import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { LogLevel } from '../ingest/log-entry';

/**
 * One valid line of a job's file. Written only by COPY (see LogIngestRepository). No foreign
 * key to jobs, for bulk-load speed: see the migration.
 */
@Entity({ name: 'log_entries' })
@Index('log_entries_job_id_level_line_no_idx', ['jobId', 'level', 'lineNo'])
export class LogEntryEntity {
  @PrimaryColumn({ name: 'job_id', type: 'uuid', primaryKeyConstraintName: 'log_entries_pkey' })
  jobId: string;

  // (job_id, line_no) is the backstop against a redelivered batch writing a line twice.
  @PrimaryColumn({ name: 'line_no', type: 'integer', primaryKeyConstraintName: 'log_entries_pkey' })
  lineNo: number;

  @Column({ type: 'timestamptz' })
  timestamp: Date;

  @Column({ type: 'varchar', length: 8 })
  level: LogLevel;

  @Column({ type: 'text', nullable: true })
  service: string | null;

  @Column({ type: 'text' })
  message: string;

  @Column({ type: 'jsonb' })
  attributes: Record<string, unknown>;
}
