import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { JwtService } from '@nestjs/jwt';
import { PRINCIPAL_CACHE_MS, TokenService } from './token.service';
import type { UsersRepository } from './users.repository';

describe('TokenService.principalFor', () => {
  const alice = { id: randomUUID(), username: 'alice', role: 'user' as const };
  const exp = () => Math.floor(Date.now() / 1000) + 600;

  function setup() {
    const users = { findById: jest.fn(async (id: string) => (id === alice.id ? { ...alice } : null)) };
    const service = new TokenService({} as JwtService, {} as KeyObject, users as unknown as UsersRepository);
    return { service, users };
  }

  afterEach(() => jest.useRealTimers());

  it.each([
    ['no exp', { sub: alice.id }],
    ['a sub that is not a UUID', { sub: 'not-a-uuid', exp: exp() }],
    ['no sub', { exp: exp() }],
    ['an unknown user', { sub: randomUUID(), exp: exp() }],
  ])('refuses %s', async (_what, claims) => {
    await expect(setup().service.principalFor(claims)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('answers the user as its row says, and asks the database again only after PRINCIPAL_CACHE_MS', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-26T12:00:00Z') });
    const { service, users } = setup();
    const claims = { sub: alice.id, role: 'admin', exp: exp() };
    await expect(service.principalFor(claims)).resolves.toEqual(alice); // the row's role, not the token's
    await service.principalFor(claims);
    expect(users.findById).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(PRINCIPAL_CACHE_MS + 1);
    await service.principalFor(claims);
    expect(users.findById).toHaveBeenCalledTimes(2);
  });
});
