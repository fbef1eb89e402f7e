import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { SeriesMetrics } from '../analysis/series-metrics';

/**
 * One row per series: metadata, the metrics computed at store time, and the samples as two
 * binary columns (never a row per point). Constraint and index names match the migration.
 */
@Entity({ name: 'series' })
@Index('series_owner_id_created_at_idx', ['ownerId', 'createdAt', 'id'])
@Check('series_timing_check', `("sampling_rate_hz" IS NULL) <> ("timestamps_f64" IS NULL)`)
export class SeriesEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'series_pkey' })
  id: string;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  // Only for the foreign key (ON DELETE CASCADE); never loaded.
  // By table name: a feature never imports another feature's entity (npm run lint).
  @ManyToOne('users', { onDelete: 'CASCADE', createForeignKeyConstraints: true })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'series_owner_id_fkey' })
  owner?: never;

  @Column({ type: 'varchar', length: 200, nullable: true })
  name: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  unit: string | null;

  @Column({ type: 'integer' })
  count: number;

  @Column({ name: 'start_at', type: 'timestamptz' })
  startAt: Date;

  @Column({ name: 'end_at', type: 'timestamptz' })
  endAt: Date;

  /** Uniform series only: timestamp i is start_at + i / rate. */
  @Column({ name: 'sampling_rate_hz', type: 'double precision', nullable: true })
  samplingRateHz: number | null;

  /** Irregular series only: count float64 little-endian epoch milliseconds, ascending. */
  @Column({ name: 'timestamps_f64', type: 'bytea', nullable: true, select: false })
  timestampsF64?: Buffer | null;

  /** count float64 little-endian values, in time order. */
  @Column({ name: 'values_f64', type: 'bytea', select: false })
  valuesF64?: Buffer;

  @Column({ type: 'jsonb' })
  metrics: SeriesMetrics;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
