import { randomUUID } from 'node:crypto';
import type { TokenRevocations } from '../../core/auth/token-revocations';
import type { AuditEventsRepository } from './audit-events.repository';
import type { UserEntity } from './entities/user.entity';
import type { PasswordHasher } from './password-hasher';
import { UserAdminService } from './user-admin.service';
import type { UserErasure } from './user-erasure';
import type { UsersRepository } from './users.repository';

describe('UserAdminService', () => {
  const admin = { user: { id: randomUUID(), username: 'root', role: 'admin' as const }, requestId: 'req-1' };
  const alice: UserEntity = { id: randomUUID(), username: 'alice', passwordHash: 'h', role: 'user', createdAt: new Date(), disabled: false, lastLoginAt: null };

  function setup(outcome: 'applied' | 'not_found' | 'last_admin' = 'applied') {
    const calls: string[] = [];
    const users = {
      changeGuarded: jest.fn(async (_id: string, patch: Partial<UserEntity>, options: { revokes: (b: UserEntity, a: UserEntity) => boolean; audit: (b: UserEntity, a: UserEntity) => unknown[] }) => {
        if (outcome !== 'applied') return outcome;
        const after = { ...alice, ...patch };
        calls.push(`revokes=${options.revokes(alice, after)}`);
        calls.push(`audit=${(options.audit(alice, after) as { action: string }[]).map((e) => e.action).join(',')}`);
        return { before: alice, after };
      }),
    };
    const revocations = { announce: jest.fn(async () => void calls.push('announce')) };
    const erasure = { requestErasure: jest.fn(async () => void calls.push('erase')) };
    const hasher = { hash: jest.fn(async () => 'new-hash') };
    const service = new UserAdminService(
      users as unknown as UsersRepository,
      {} as AuditEventsRepository,
      hasher as unknown as PasswordHasher,
      revocations as unknown as TokenRevocations,
      erasure as unknown as UserErasure,
    );
    return { service, calls, users, revocations, erasure };
  }

  it.each([
    [{ disabled: true }, 'revokes=true', 'audit=user.disabled'],
    [{ disabled: false }, 'revokes=false', 'audit='],
    [{ role: 'admin' as const }, 'revokes=true', 'audit=user.changed'],
    [{ role: 'user' as const }, 'revokes=false', 'audit='],
    [{ password: 'a-new-password' }, 'revokes=true', 'audit=user.password_reset'],
  ])('a change of %j: %s, %s, announced only when revoked', async (input, revokes, audit) => {
    const { service, calls } = setup();
    await service.changeUser(admin, alice.id, input);
    expect(calls).toEqual(revokes === 'revokes=true' ? [revokes, audit, 'announce'] : [revokes, audit]);
  });

  it('never puts the password itself in the patch or the audit details', async () => {
    const { service, users } = setup();
    await service.changeUser(admin, alice.id, { password: 'a-new-password' });
    expect(JSON.stringify(users.changeGuarded.mock.calls[0][1])).toBe('{"passwordHash":"new-hash"}');
  });

  it.each([
    ['not_found', 'USER_NOT_FOUND'],
    ['last_admin', 'LAST_ADMIN'],
  ] as const)('maps %s to %s and announces nothing', async (outcome, code) => {
    const { service, revocations, erasure } = setup(outcome);
    await expect(service.changeUser(admin, alice.id, { disabled: true })).rejects.toMatchObject({ code });
    await expect(service.deleteUser(admin, alice.id)).rejects.toMatchObject({ code });
    expect(revocations.announce).not.toHaveBeenCalled();
    expect(erasure.requestErasure).not.toHaveBeenCalled();
  });

  it('deletes by disabling and revoking first, announcing, then requesting the erasure with the request id', async () => {
    const { service, calls, erasure } = setup();
    await service.deleteUser(admin, alice.id);
    expect(calls).toEqual(['revokes=true', 'audit=user.deleted', 'announce', 'erase']);
    expect(erasure.requestErasure).toHaveBeenCalledWith(alice.id, 'req-1');
  });

  it('answers 404 for an id that is not a UUID without asking the database', async () => {
    const { service, users } = setup();
    await expect(service.changeUser(admin, 'nope', { disabled: true })).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(users.changeGuarded).not.toHaveBeenCalled();
  });
});
