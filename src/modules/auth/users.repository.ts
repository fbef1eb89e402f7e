import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, QueryFailedError, Repository } from 'typeorm';
import { AccessTokenEntity } from './entities/access-token.entity';
import { AuditEventEntity } from './entities/audit-event.entity';
import { Role, UserEntity } from './entities/user.entity';
import type { NewAuditEvent } from './audit-events.repository';

export interface NewUser {
  username: string;
  passwordHash: string;
  role: Role;
}

export interface UserPatch {
  role?: Role;
  disabled?: boolean;
  passwordHash?: string;
}

/** What a guarded change answers: the user before and after, or why nothing was written. */
export type GuardedChange = { before: UserEntity; after: UserEntity } | 'not_found' | 'last_admin';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.createQueryBuilder('u').where('lower(u.username) = lower(:username)', { username }).getOne();
  }

  /** Ordered by lower(username), then id; `prefix` matches the start of the username, any case. */
  list(options: { prefix?: string; after?: { username: string; id: string }; limit: number }): Promise<UserEntity[]> {
    const query = this.users.createQueryBuilder('u').orderBy('lower(u.username)').addOrderBy('u.id').limit(options.limit);
    if (options.prefix) {
      const pattern = `${options.prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query.andWhere(`lower(u.username) LIKE :pattern ESCAPE '\\'`, { pattern });
    }
    if (options.after) {
      query.andWhere('(lower(u.username), u.id) > (lower(:username), :id)', options.after);
    }
    return query.getMany();
  }

  /** Inserts the user, or answers `null` when the username is taken (race-free: the unique index decides). */
  async insert(user: NewUser, audit?: (created: UserEntity) => NewAuditEvent): Promise<UserEntity | null> {
    try {
      return await this.users.manager.transaction(async (m) => {
        const created = await m.save(m.create(UserEntity, user));
        if (audit) await m.insert(AuditEventEntity, audit(created));
        return created;
      });
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) return null;
      throw error;
    }
  }

  /** The bootstrap admin: also enabled again, so the settings always yield a usable admin. */
  async updatePasswordAndRole(id: string, passwordHash: string, role: Role): Promise<void> {
    await this.users.update({ id }, { passwordHash, role, disabled: false });
  }

  async touchLastLogin(id: string): Promise<void> {
    await this.users.update({ id }, { lastLoginAt: () => 'now()' });
  }

  /**
   * Applies `patch` unless the user is the last enabled admin and would stop being one. The
   * enabled admins' rows are locked first (FOR UPDATE), so two concurrent demotions cannot both
   * see another admin left. When `revokes` says so, every token of the user is revoked in the same
   * transaction; the audit events are written in it too: all of it, or nothing.
   */
  changeGuarded(id: string, patch: UserPatch, options: { revokes: (before: UserEntity, after: UserEntity) => boolean; audit: (before: UserEntity, after: UserEntity) => NewAuditEvent[] }): Promise<GuardedChange> {
    return this.users.manager.transaction(async (m) => {
      const admins = await lockEnabledAdmins(m);
      const before = await m.findOne(UserEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!before) return 'not_found';
      const after: UserEntity = { ...before, ...patch };
      const wasAdmin = before.role === 'admin' && !before.disabled;
      const staysAdmin = after.role === 'admin' && !after.disabled;
      if (wasAdmin && !staysAdmin && admins.filter((a) => a.id !== id).length === 0) return 'last_admin';
      if (Object.keys(patch).length > 0) await m.update(UserEntity, { id }, patch);
      if (options.revokes(before, after)) await revokeAll(m, id);
      const events = options.audit(before, after);
      if (events.length > 0) await m.insert(AuditEventEntity, events);
      return { before, after };
    });
  }

  /** Sets a new password and revokes every other token of the user, in one transaction. */
  async changePassword(id: string, passwordHash: string, keepTokenId: string | undefined): Promise<void> {
    await this.users.manager.transaction(async (m) => {
      await m.update(UserEntity, { id }, { passwordHash });
      await revokeAll(m, id, keepTokenId);
    });
  }

  async delete(id: string): Promise<void> {
    await this.users.delete({ id });
  }
}

function lockEnabledAdmins(m: EntityManager): Promise<Pick<UserEntity, 'id'>[]> {
  return m
    .createQueryBuilder(UserEntity, 'u')
    .select('u.id')
    .where(`u.role = 'admin' AND NOT u.disabled`)
    .orderBy('u.id')
    .setLock('pessimistic_write')
    .getMany();
}

async function revokeAll(m: EntityManager, userId: string, exceptTokenId?: string): Promise<void> {
  const query = m
    .createQueryBuilder()
    .update(AccessTokenEntity)
    .set({ revokedAt: () => 'now()' })
    .where({ userId, revokedAt: IsNull() });
  if (exceptTokenId) query.andWhere('jti <> :exceptTokenId', { exceptTokenId });
  await query.execute();
}
