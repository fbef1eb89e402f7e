import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

export const AUDIT_ACTIONS = ['user.created', 'user.changed', 'user.disabled', 'user.enabled', 'user.password_reset', 'user.deleted'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
/** What changed; JSON, never a password. */
export type AuditDetails = Record<string, string | number | boolean | null | { from: string; to: string }>;

/**
 * Append-only (triggers in the migration refuse UPDATE, DELETE and TRUNCATE). Actor and target are
 * plain ids with the username of the time, never foreign keys: erasing a user keeps the record
 * of what was done to and by that account.
 */
@Entity({ name: 'audit_events' })
@Unique('audit_events_seq_key', ['seq'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'audit_events_pkey' })
  id: string;

  /** Insertion order: events of one transaction share `at`, and the list pages by this. */
  @Column({ type: 'integer', generated: 'identity', generatedIdentity: 'ALWAYS' })
  seq: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  @Column({ type: 'varchar', length: 32 })
  action: AuditAction;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_username', type: 'varchar', length: 64, nullable: true })
  actorUsername: string | null;

  @Column({ name: 'target_id', type: 'uuid', nullable: true })
  targetId: string | null;

  @Column({ name: 'target_username', type: 'varchar', length: 64, nullable: true })
  targetUsername: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  @Column({ type: 'jsonb', default: {} })
  details: AuditDetails;
}
