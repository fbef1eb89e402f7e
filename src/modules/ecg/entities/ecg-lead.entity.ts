import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import type { LeadResult } from '../analyses/ecg-analysis';
import { EcgEntity } from './ecg.entity';

@Entity({ name: 'ecg_leads' })
@Unique('ecg_leads_ecg_pk_name_key', ['ecgPk', 'name'])
export class EcgLeadEntity {
  @PrimaryColumn({ name: 'ecg_pk', type: 'uuid', primaryKeyConstraintName: 'ecg_leads_pkey' })
  ecgPk: string;

  // The lead's index in the submitted `leads` array, so answers keep the client's order.
  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'ecg_leads_pkey' })
  position: number;

  @ManyToOne(() => EcgEntity, (ecg) => ecg.leads, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ecg_pk', foreignKeyConstraintName: 'ecg_leads_ecg_pk_fkey' })
  ecg?: EcgEntity;

  @Column({ type: 'varchar', length: 3 })
  name: string;

  @Column({ name: 'number_of_samples', type: 'integer' })
  numberOfSamples: number;

  // Int32 little-endian, 4 bytes a sample: a quarter of the JSON text and no per-sample rows.
  // Not selected by default so that reading an ECG never drags its signal along.
  @Column({ type: 'bytea', select: false })
  signal?: Buffer;

  // The merged output of every registered analysis for this lead; null until the ECG completes.
  @Column({ type: 'jsonb', nullable: true })
  insights: LeadResult | null;
}
