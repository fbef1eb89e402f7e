import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Principal } from '../../core/http/access.decorators';
import { JwtAuthGuard } from './jwt-auth.guard';
import type { TokenService } from './token.service';

const principal = { id: 'u1', role: 'user', username: 'u', tokenId: 'j1' } as Principal;

function httpContext(req: object): ExecutionContext {
  return {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => req }),
    getHandler: () => httpContext,
    getClass: () => JwtAuthGuard,
  } as unknown as ExecutionContext;
}

/** A guard whose full check (passport-jwt + TokenService) is `full`, counted. */
function guardWith(full: (req: { user?: Principal }) => Promise<boolean>) {
  const cache = new Map<string, Principal>();
  const tokens = {
    cachedPrincipal: (token: string) => cache.get(token),
    remember: (token: string, p: Principal) => cache.set(token, p),
    revocationGeneration: 0,
  } as unknown as TokenService;
  const guard = new JwtAuthGuard(new Reflector(), tokens);
  let calls = 0;
  const checkFully = async (_context: ExecutionContext, req: { user?: Principal }, token: string) => {
    calls++;
    const ok = await full(req);
    if (ok && req.user) cache.set(token, req.user);
    return ok;
  };
  Object.assign(guard, { checkFully });
  return { guard, calls: () => calls };
}

describe('JwtAuthGuard', () => {
  it('checks a token once for the requests that arrive while it is being checked', async () => {
    const { guard, calls } = guardWith(async (req) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      req.user = principal;
      return true;
    });
    const reqs = [1, 2, 3].map(() => ({ headers: { authorization: 'Bearer a.b.c' } }) as { headers: object; user?: Principal });
    const verdicts = await Promise.all(reqs.map((req) => guard.canActivate(httpContext(req))));
    expect(verdicts).toEqual([true, true, true]);
    expect(reqs.map((r) => r.user)).toEqual([principal, principal, principal]);
    expect(calls()).toBe(1);
  });

  it('checks each waiting request on its own when the shared check refused the token', async () => {
    const { guard, calls } = guardWith(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error('invalid');
    });
    const reqs = [1, 2].map(() => ({ headers: { authorization: 'Bearer x.y.z' } }));
    const verdicts = await Promise.allSettled(reqs.map(async (req) => guard.canActivate(httpContext(req))));
    expect(verdicts.map((v) => v.status)).toEqual(['rejected', 'rejected']);
    expect(calls()).toBe(2);
  });
});
