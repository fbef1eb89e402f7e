import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import type { EcgLeadEntity } from './ecg-lead.entity';

export const ECG_STATUSES = ['queued', 'processing', 'completed', 'failed'] as const;
export type EcgStatus = (typeof ECG_STATUSES)[number];

// Constraint and index names match the migration, so `migration:generate` sees no difference.
@Entity({ name: 'ecgs' })
@Unique('ecgs_owner_id_id_key', ['ownerId', 'id'])
@Check('ecgs_status_check', `"status" IN ('queued', 'processing', 'completed', 'failed')`)
@Index('ecgs_owner_id_created_at_idx', ['ownerId', 'createdAt', 'pk'])
@Index('ecgs_unfinished_updated_at_idx', ['updatedAt'], { where: `"status" IN ('queued', 'processing')` })
export class EcgEntity {
  // A surrogate key: the client-facing `id` is only unique per owner (two users may both send "ecg-1").
  @PrimaryGeneratedColumn('uuid', { name: 'pk', primaryKeyConstraintName: 'ecgs_pkey' })
  pk: string;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  // Only for the foreign key (ON DELETE CASCADE); never loaded.
  // By table name: a feature never imports another feature's entity (npm run lint).
  @ManyToOne('users', { onDelete: 'CASCADE', createForeignKeyConstraints: true })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'ecgs_owner_id_fkey' })
  owner?: never;

  @Column({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'timestamptz' })
  date: Date;

  @Column({ name: 'sampling_rate_hz', type: 'double precision', nullable: true })
  samplingRateHz: number | null;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status: EcgStatus;

  @Column({ name: 'heart_rate_bpm', type: 'double precision', nullable: true })
  heartRateBpm: number | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  // How often the sweeper re-published this ECG; past its budget a stuck ECG is failed instead.
  @Column({ name: 'republish_count', type: 'smallint', default: 0 })
  republishCount: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;

  @OneToMany('EcgLeadEntity', (lead: EcgLeadEntity) => lead.ecg)
  leads?: EcgLeadEntity[];

  /** Filled by list queries (a counting subquery), not a column. */
  numberOfLeads?: number;
}
