import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/**
 * An erasure under way: written when it is asked for, deleted with the user row when it is done
 * (ON DELETE CASCADE), so a finished erasure leaves nothing. The sweeper re-publishes rows whose
 * `updated_at` stopped moving (the worker erasing it died).
 */
@Entity({ name: 'user_erasures' })
@Index('user_erasures_updated_at_idx', ['updatedAt'])
export class UserErasureEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid', primaryKeyConstraintName: 'user_erasures_pkey' })
  userId: string;

  // By table name: core never imports a feature's entity.
  @ManyToOne('users', { onDelete: 'CASCADE', createForeignKeyConstraints: true })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'user_erasures_user_id_fkey' })
  user?: never;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  @Column({ name: 'republish_count', type: 'smallint', default: 0 })
  republishCount: number;

  @Column({ name: 'requested_at', type: 'timestamptz', default: () => 'now()' })
  requestedAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
