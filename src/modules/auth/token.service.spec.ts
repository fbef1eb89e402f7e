import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { JwtService } from '@nestjs/jwt';
import { TokenRevocations } from '../../core/auth/token-revocations';
import { InProcessBroadcaster } from '../../core/messaging/broadcast';
import type { AccessTokensRepository } from './access-tokens.repository';
import { bearerTokenOf, PRINCIPAL_CACHE_MS, TokenService } from './token.service';

describe('TokenService.principalFor', () => {
  const alice = { id: randomUUID(), username: 'alice', role: 'user' as const, disabled: false };
  const exp = () => Math.floor(Date.now() / 1000) + 600;

  function setup() {
    const rows = new Map<string, { userId: string; revokedAt: Date | null; expiresAt: Date; user: typeof alice }>();
    const addToken = (user = alice) => {
      const jti = randomUUID();
      rows.set(jti, { userId: user.id, revokedAt: null, expiresAt: new Date(Date.now() + 600_000), user: { ...user } });
      return jti;
    };
    const tokens = { findWithUser: jest.fn(async (jti: string) => rows.get(jti) ?? null) };
    const revocations = new TokenRevocations(new InProcessBroadcaster());
    const service = new TokenService({} as JwtService, {} as KeyObject, tokens as unknown as AccessTokensRepository, revocations);
    service.onModuleInit();
    return { service, tokens, rows, addToken, revocations };
  }

  afterEach(() => jest.useRealTimers());

  it.each([
    ['no exp', { sub: alice.id, jti: randomUUID() }],
    ['no jti (a token from before revocation existed)', { sub: alice.id, exp: exp() }],
    ['a jti that is not a UUID', { sub: alice.id, exp: exp(), jti: 'x' }],
    ['a sub that is not a UUID', { sub: 'not-a-uuid', exp: exp(), jti: randomUUID() }],
    ['no sub', { exp: exp(), jti: randomUUID() }],
    ['a jti this service never issued', { sub: alice.id, exp: exp(), jti: randomUUID() }],
  ])('refuses %s', async (_what, claims) => {
    await expect(setup().service.principalFor(claims)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('refuses a token whose sub is not the user it was issued to, a revoked token and a disabled user', async () => {
    const { service, rows, addToken } = setup();
    const jti = addToken();
    await expect(service.principalFor({ sub: randomUUID(), exp: exp(), jti })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    rows.get(jti)!.revokedAt = new Date();
    await expect(service.principalFor({ sub: alice.id, exp: exp(), jti })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const other = addToken({ ...alice, disabled: true });
    await expect(service.principalFor({ sub: alice.id, exp: exp(), jti: other })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('answers the user as its row says, and asks the database again only after PRINCIPAL_CACHE_MS', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-26T12:00:00Z') });
    const { service, tokens, addToken } = setup();
    const jti = addToken();
    const claims = { sub: alice.id, role: 'admin', exp: exp(), jti };
    await expect(service.principalFor(claims)).resolves.toEqual({ id: alice.id, username: 'alice', role: 'user', tokenId: jti }); // the row's role
    await service.principalFor(claims);
    expect(tokens.findWithUser).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(PRINCIPAL_CACHE_MS + 1);
    await service.principalFor(claims);
    expect(tokens.findWithUser).toHaveBeenCalledTimes(2);
  });

  it('a revocation drops the cached principal at once: the next request asks the database', async () => {
    const { service, rows, addToken, revocations } = setup();
    const kept = addToken();
    const revoked = addToken();
    await service.principalFor({ sub: alice.id, exp: exp(), jti: kept });
    await service.principalFor({ sub: alice.id, exp: exp(), jti: revoked });
    rows.get(revoked)!.revokedAt = new Date();
    await revocations.announce({ userId: alice.id, exceptTokenId: kept });
    await expect(service.principalFor({ sub: alice.id, exp: exp(), jti: revoked })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(service.principalFor({ sub: alice.id, exp: exp(), jti: kept })).resolves.toMatchObject({ id: alice.id });
  });

  it('does not cache a lookup that overlapped a revocation (it may have read the row before it)', async () => {
    const { service, tokens, rows, addToken, revocations } = setup();
    const jti = addToken();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    tokens.findWithUser.mockImplementationOnce(async (id: string) => {
      const row = { ...rows.get(id)! }; // read before the revocation commits
      await gate;
      return row;
    });
    const pending = service.principalFor({ sub: alice.id, exp: exp(), jti });
    rows.get(jti)!.revokedAt = new Date();
    await revocations.announce({ userId: alice.id });
    release();
    await pending; // this request raced the revocation and passes, but leaves nothing cached
    await expect(service.principalFor({ sub: alice.id, exp: exp(), jti })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  describe('the guard\'s fast path (by raw bearer token)', () => {
    function withDecode(tokenExp: number) {
      const ctx = setup();
      const decode = jest.fn(() => ({ exp: tokenExp }));
      const service = new TokenService({ decode } as unknown as JwtService, {} as KeyObject, ctx.tokens as unknown as AccessTokensRepository, ctx.revocations);
      service.onModuleInit();
      return { ...ctx, service };
    }

    it('trusts a remembered token for PRINCIPAL_CACHE_MS, and answers the user row it was checked against', async () => {
      jest.useFakeTimers({ now: new Date('2026-11-26T12:00:00Z') });
      const { service, addToken } = withDecode(exp());
      const jti = addToken();
      const principal = await service.principalFor({ sub: alice.id, exp: exp(), jti });
      service.remember('t.o.k', principal, service.revocationGeneration);
      expect(service.cachedPrincipal('t.o.k')).toBe(principal);
      expect(service.userRowOf(principal)).toMatchObject({ id: alice.id, username: 'alice' });
      expect(service.cachedPrincipal('other.t.ok')).toBeUndefined();
      jest.advanceTimersByTime(PRINCIPAL_CACHE_MS + 1);
      expect(service.cachedPrincipal('t.o.k')).toBeUndefined();
    });

    it('never past the token\'s exp', async () => {
      jest.useFakeTimers({ now: new Date('2026-11-26T12:00:00Z') });
      const { service, addToken } = withDecode(Math.floor(Date.now() / 1000) + 1);
      const principal = await service.principalFor({ sub: alice.id, exp: exp(), jti: addToken() });
      service.remember('t.o.k', principal, service.revocationGeneration);
      jest.advanceTimersByTime(1000);
      expect(service.cachedPrincipal('t.o.k')).toBeUndefined();
    });

    it('a revocation drops the remembered token at once; a check that overlapped one is not remembered', async () => {
      const { service, addToken, revocations } = withDecode(exp());
      const kept = await service.principalFor({ sub: alice.id, exp: exp(), jti: addToken() });
      const revoked = await service.principalFor({ sub: alice.id, exp: exp(), jti: addToken() });
      service.remember('kept.t.k', kept, service.revocationGeneration);
      service.remember('revoked.t.k', revoked, service.revocationGeneration);
      await revocations.announce({ userId: alice.id, tokenId: revoked.tokenId });
      expect(service.cachedPrincipal('revoked.t.k')).toBeUndefined();
      expect(service.cachedPrincipal('kept.t.k')).toBe(kept);
      const generation = service.revocationGeneration;
      await revocations.announce({ userId: alice.id });
      expect(service.cachedPrincipal('kept.t.k')).toBeUndefined();
      service.remember('kept.t.k', kept, generation);
      expect(service.cachedPrincipal('kept.t.k')).toBeUndefined();
    });

    it('keys only an exact `Bearer <jws>` header', () => {
      expect(bearerTokenOf('Bearer aa.bb.cc')).toBe('aa.bb.cc');
      expect(bearerTokenOf('bearer aa.bb.cc')).toBe('aa.bb.cc');
      expect(bearerTokenOf('Bearer aa.bb')).toBeUndefined();
      expect(bearerTokenOf('Basic aa.bb.cc')).toBeUndefined();
      expect(bearerTokenOf(undefined)).toBeUndefined();
    });
  });
});
