import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Failed logins per key (`username:<name>` or `address:<ip>`), shared by every gateway. */
@Entity({ name: 'login_throttles' })
export class LoginThrottleEntity {
  @PrimaryColumn({ type: 'varchar', length: 128, primaryKeyConstraintName: 'login_throttles_pkey' })
  key: string;

  @Column({ type: 'integer' })
  failures: number;

  @Column({ name: 'last_failure_at', type: 'timestamptz' })
  lastFailureAt: Date;

  @Column({ name: 'blocked_until', type: 'timestamptz', nullable: true })
  blockedUntil: Date | null;
}
