import type { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { isUUID } from 'class-validator';
import { AccessTokenVerifier } from '../../core/auth/access-token-verifier';
import { Principal } from '../../core/http/access.decorators';
import { AuthError } from './auth.errors';
import { JWT_KEY } from './jwt-secret';
import { UsersRepository } from './users.repository';

// Pinned: a token signed with any other algorithm (or `none`) is refused.
export const TOKEN_ALGORITHM = 'HS256';

/**
 * How long a looked-up user is trusted without asking the database again. The lookup was the
 * biggest single cost of an authenticated request (docs/auth.md, "Cost"); a deleted user or a
 * changed role takes effect within this delay.
 */
export const PRINCIPAL_CACHE_MS = 5_000;
const PRINCIPAL_CACHE_MAX = 10_000;

/**
 * The one place that says what a valid token is, for REST and GraphQL (JwtStrategy, through
 * passport-jwt with this key and algorithm) and for the Socket.IO and WebSocket handshakes
 * (`verify`).
 */
@Injectable()
export class TokenService extends AccessTokenVerifier {
  private readonly recent = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly jwt: JwtService,
    /** A KeyObject, not a string: see JwtKeyModule. */
    @Inject(JWT_KEY) readonly key: KeyObject,
    private readonly users: UsersRepository,
  ) {
    super();
  }

  async issue(user: Principal): Promise<{ token: string; expiresInS: number }> {
    const token = await this.jwt.signAsync({ sub: user.id, role: user.role, username: user.username }, { algorithm: TOKEN_ALGORITHM });
    const { exp, iat } = this.jwt.decode<{ exp: number; iat: number }>(token);
    return { token, expiresInS: exp - iat };
  }

  /** Verifies a token from a header or a WebSocket query; throws UNAUTHORIZED when it is not valid now. */
  async verify(token: string): Promise<Principal> {
    let claims: unknown;
    try {
      claims = await this.jwt.verifyAsync<object>(token, { algorithms: [TOKEN_ALGORITHM] });
    } catch {
      throw invalidToken();
    }
    return this.principalFor(claims);
  }

  /**
   * The rules after the signature: `exp` is required (a token without one would never expire) and
   * `sub` must be the UUID of an existing user. The role and username come from the user's row, so
   * a changed role applies, and a deleted user's tokens stop working, within PRINCIPAL_CACHE_MS.
   */
  async principalFor(claims: unknown): Promise<Principal> {
    const { sub, exp } = (claims ?? {}) as { sub?: unknown; exp?: unknown };
    if (typeof exp !== 'number' || typeof sub !== 'string' || !isUUID(sub)) throw invalidToken();
    const cached = this.recent.get(sub);
    if (cached && cached.until > Date.now()) return cached.principal;
    const user = await this.users.findById(sub);
    if (!user) throw invalidToken();
    const principal: Principal = { id: user.id, role: user.role, username: user.username };
    this.recent.delete(sub); // re-inserted last: the Map's order is the eviction order
    this.recent.set(sub, { principal, until: Date.now() + PRINCIPAL_CACHE_MS });
    if (this.recent.size > PRINCIPAL_CACHE_MAX) this.recent.delete(this.recent.keys().next().value as string);
    return principal;
  }

  /** Seconds until the token expires (for closing long-lived connections on time). */
  expiresAt(token: string): number | undefined {
    return this.jwt.decode<{ exp?: number } | null>(token)?.exp;
  }
}

function invalidToken(): AuthError {
  return AuthError.unauthenticated('The bearer token is invalid or expired.');
}
