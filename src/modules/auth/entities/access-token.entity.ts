import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/** One row per issued token (its `jti`): a token is valid only while its row exists and is not revoked. */
@Entity({ name: 'access_tokens' })
@Index('access_tokens_user_id_idx', ['userId'])
export class AccessTokenEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'access_tokens_pkey' })
  jti: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'access_tokens_user_id_fkey' })
  user?: UserEntity;

  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
