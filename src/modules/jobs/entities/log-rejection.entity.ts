import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { JobEntity } from './job.entity';

/** A line that could not be ingested, with why. The first 10,000 per job are kept; all are counted. */
@Entity({ name: 'log_rejections' })
export class LogRejectionEntity {
  @PrimaryColumn({ name: 'job_id', type: 'uuid', primaryKeyConstraintName: 'log_rejections_pkey' })
  jobId: string;

  @PrimaryColumn({ name: 'line_no', type: 'integer', primaryKeyConstraintName: 'log_rejections_pkey' })
  lineNo: number;

  @ManyToOne(() => JobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'job_id', foreignKeyConstraintName: 'log_rejections_job_id_fkey' })
  job?: JobEntity;

  @Column({ type: 'text' })
  reason: string;
}
