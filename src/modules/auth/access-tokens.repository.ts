import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { AccessTokenEntity } from './entities/access-token.entity';
import type { UserEntity } from './entities/user.entity';

@Injectable()
export class AccessTokensRepository {
  constructor(@InjectRepository(AccessTokenEntity) private readonly tokens: Repository<AccessTokenEntity>) {}

  /** Records an issued token; the user's expired rows go at the same time (they can never be valid again). */
  async insert(token: { jti: string; userId: string; issuedAt: Date; expiresAt: Date }): Promise<void> {
    await this.tokens.insert({ ...token, revokedAt: null });
    await this.tokens.delete({ userId: token.userId, expiresAt: LessThan(new Date()) });
  }

  /** The token's row with its user: one query per (uncached) request. */
  findWithUser(jti: string): Promise<(AccessTokenEntity & { user: UserEntity }) | null> {
    return this.tokens.findOne({ where: { jti }, relations: { user: true } }) as Promise<(AccessTokenEntity & { user: UserEntity }) | null>;
  }

  /** Answers whether this call revoked it (false: unknown or already revoked). */
  async revoke(jti: string): Promise<boolean> {
    const result = await this.tokens
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('jti = :jti AND revoked_at IS NULL', { jti })
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
