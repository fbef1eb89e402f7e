import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { TokenRevocations } from '../../core/auth/token-revocations';
import { decodeCursor, toPage, type Page } from '../../core/http/pagination';
import type { Role } from '../../core/http/access.decorators';
import { AuditEventsRepository, type NewAuditEvent } from './audit-events.repository';
import { AuthError } from './auth.errors';
import { toAuditEventResponse, type AuditEventResponseDto } from './dto/audit-event.dto';
import { toUserAdminResponse, type UserAdminResponseDto } from './dto/user.dto';
import type { AuditAction } from './entities/audit-event.entity';
import type { UserEntity } from './entities/user.entity';
import { PasswordHasher } from './password-hasher';
import { UserErasure } from './user-erasure';
import type { Actor } from './users.service';
import { UsersRepository, type GuardedChange, type UserPatch } from './users.repository';

/** Admins managing accounts: list, read, change, delete, and read the audit log. */
@Injectable()
export class UserAdminService {
  constructor(
    private readonly users: UsersRepository,
    private readonly audit: AuditEventsRepository,
    private readonly hasher: PasswordHasher,
    private readonly revocations: TokenRevocations,
    private readonly erasure: UserErasure,
  ) {}

  async listUsers(query: { q?: string; cursor?: string; limit: number }): Promise<Page<UserAdminResponseDto>> {
    const after = decodeCursor<{ username: string; id: string }>(query.cursor, { username: 'text', id: 'uuid' });
    const rows = await this.users.list({ prefix: query.q, after, limit: query.limit + 1 });
    return toPage(rows, query.limit, toUserAdminResponse, (u) => ({ username: u.username, id: u.id }));
  }

  async getUser(id: string): Promise<UserEntity> {
    const user = isUUID(id) ? await this.users.findById(id) : null;
    if (!user) throw AuthError.userNotFound();
    return user;
  }

  /**
   * A role change, `disabled: true` or a password reset revokes every token of the user, in the
   * same transaction as the change, and on every gateway at once.
   */
  async changeUser(actor: Actor, id: string, input: { role?: Role; disabled?: boolean; password?: string }): Promise<UserEntity> {
    if (!isUUID(id)) throw AuthError.userNotFound();
    const patch: UserPatch = {};
    if (input.role !== undefined) patch.role = input.role;
    if (input.disabled !== undefined) patch.disabled = input.disabled;
    if (input.password !== undefined) patch.passwordHash = await this.hasher.hash(input.password);
    let revoked = false;
    const result = await this.users.changeGuarded(id, patch, {
      revokes: (before, after) => (revoked = before.role !== after.role || (after.disabled && !before.disabled) || input.password !== undefined),
      audit: (before, after) => changeEvents(actor, before, after, input.password !== undefined),
    });
    const { after } = settled(result);
    if (revoked) await this.revocations.announce({ userId: id });
    return after;
  }

  /**
   * Disables the account and revokes its tokens at once (so it can neither log in nor count as an
   * admin), then hands the erasure of its data to UserErasure. 202: erasure runs on.
   */
  async deleteUser(actor: Actor, id: string): Promise<void> {
    if (!isUUID(id)) throw AuthError.userNotFound();
    const result = await this.users.changeGuarded(id, { disabled: true }, {
      revokes: () => true,
      audit: (before) => [event(actor, 'user.deleted', before, {})],
    });
    settled(result);
    await this.revocations.announce({ userId: id });
    await this.erasure.requestErasure(id, actor.requestId ?? '');
  }

  async listAuditEvents(query: { cursor?: string; limit: number }): Promise<Page<AuditEventResponseDto>> {
    const before = decodeCursor<{ seq: number }>(query.cursor, { seq: 'int' });
    const rows = await this.audit.list({ beforeSeq: before?.seq, limit: query.limit + 1 });
    return toPage(rows, query.limit, toAuditEventResponse, (e) => ({ seq: e.seq }));
  }
}

function settled(result: GuardedChange): { before: UserEntity; after: UserEntity } {
  if (result === 'not_found') throw AuthError.userNotFound();
  if (result === 'last_admin') throw AuthError.lastAdmin();
  return result;
}

function event(actor: Actor, action: AuditAction, target: UserEntity, details: NewAuditEvent["details"]): NewAuditEvent {
  return {
    action,
    actorId: actor.user.id,
    actorUsername: actor.user.username,
    targetId: target.id,
    targetUsername: target.username,
    requestId: actor.requestId,
    details,
  };
}

function changeEvents(actor: Actor, before: UserEntity, after: UserEntity, passwordReset: boolean): NewAuditEvent[] {
  const events: NewAuditEvent[] = [];
  if (before.role !== after.role) events.push(event(actor, 'user.changed', before, { role: { from: before.role, to: after.role } }));
  if (before.disabled !== after.disabled) events.push(event(actor, after.disabled ? 'user.disabled' : 'user.enabled', before, {}));
  if (passwordReset) events.push(event(actor, 'user.password_reset', before, {}));
  return events;
}
