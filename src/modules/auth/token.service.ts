import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { isUUID } from 'class-validator';
import { AccessTokenVerifier } from '../../core/auth/access-token-verifier';
import { isRevoked, TokenRevocations, type Revocation } from '../../core/auth/token-revocations';
import { Principal } from '../../core/http/access.decorators';
import { AccessTokensRepository } from './access-tokens.repository';
import { AuthError } from './auth.errors';
import type { UserEntity } from './entities/user.entity';
import { JWT_KEY } from './jwt-secret';

// Pinned: a token signed with any other algorithm (or `none`) is refused.
export const TOKEN_ALGORITHM = 'HS256';

/**
 * How long a looked-up token and user are trusted without asking the database again. The lookup
 * was the biggest single cost of an authenticated request (docs/auth.md, "Cost"). Revocations do
 * not wait for it: they drop the entries at once, on every gateway (TokenRevocations).
 */
export const PRINCIPAL_CACHE_MS = 5_000;
const PRINCIPAL_CACHE_MAX = 10_000;

interface Cached {
  principal: Principal;
  until: number;
}

// The shape of a compact JWS; only used to key the cache, passport-jwt still reads the header on a miss.
const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

/** The token of an `Authorization: Bearer <jwt>` header, when it has that exact shape. */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  return authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
}

/**
 * The one place that says what a valid token is, for REST and GraphQL (JwtStrategy, through
 * passport-jwt with this key and algorithm) and for the Socket.IO and WebSocket handshakes
 * (`verify`).
 */
@Injectable()
export class TokenService extends AccessTokenVerifier implements OnModuleInit, OnModuleDestroy {
  /** By token id (jti); the Map's order is the eviction order. */
  private readonly recent = new Map<string, Cached>();
  /**
   * By the raw bearer token, for the guard's fast path: a token string whose signature, expiry and
   * row were checked less than PRINCIPAL_CACHE_MS ago (and never past its `exp`) is trusted without
   * passport, HMAC or database. Dropped by the same revocations as `recent`.
   */
  private readonly byToken = new Map<string, Cached>();
  /** The user row each principal was read from (`GET /users/me` answers from it; same freshness). */
  private readonly rows = new WeakMap<Principal, UserEntity>();
  /** Bumped by every revocation: a lookup that overlapped one is not cached (it may predate it). */
  private generation = 0;
  private stopListening?: () => void;

  constructor(
    private readonly jwt: JwtService,
    /** A KeyObject, not a string: see JwtKeyModule. */
    @Inject(JWT_KEY) readonly key: KeyObject,
    private readonly tokens: AccessTokensRepository,
    private readonly revocations: TokenRevocations,
  ) {
    super();
  }

  onModuleInit(): void {
    this.stopListening = this.revocations.onRevoked((revocation) => this.forget(revocation));
  }

  onModuleDestroy(): void {
    this.stopListening?.();
  }

  /** `expiresInS` overrides JWT_EXPIRES_IN (tests of expiry use it). */
  async issue(user: Pick<Principal, 'id' | 'role' | 'username'>, options: { expiresInS?: number } = {}): Promise<{ token: string; expiresInS: number }> {
    const jti = randomUUID();
    const token = await this.jwt.signAsync(
      { sub: user.id, role: user.role, username: user.username, jti },
      { algorithm: TOKEN_ALGORITHM, ...(options.expiresInS === undefined ? {} : { expiresIn: options.expiresInS }) },
    );
    const { exp, iat } = this.jwt.decode<{ exp: number; iat: number }>(token);
    await this.tokens.insert({ jti, userId: user.id, issuedAt: new Date(iat * 1000), expiresAt: new Date(exp * 1000) });
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
   * The rules after the signature: `exp` is required (a token without one would never expire),
   * `jti` must name a token this service issued and nobody revoked, and `sub` must be the UUID of
   * its user, who exists and is not disabled. The role and username come from the user's row.
   */
  async principalFor(claims: unknown): Promise<Principal> {
    const { sub, exp, jti } = (claims ?? {}) as { sub?: unknown; exp?: unknown; jti?: unknown };
    if (typeof exp !== 'number' || typeof sub !== 'string' || !isUUID(sub) || typeof jti !== 'string' || !isUUID(jti)) throw invalidToken();
    const cached = this.recent.get(jti);
    if (cached && cached.until > Date.now()) return cached.principal;
    const generation = this.generation;
    const row = await this.tokens.findWithUser(jti);
    if (!row || row.userId !== sub || row.revokedAt || row.expiresAt.getTime() <= Date.now() || row.user.disabled) {
      this.recent.delete(jti);
      throw invalidToken();
    }
    const principal: Principal = { id: row.user.id, role: row.user.role, username: row.user.username, tokenId: jti };
    this.rows.set(principal, row.user);
    if (generation === this.generation) {
      this.recent.delete(jti); // re-inserted last
      this.recent.set(jti, { principal, until: Date.now() + PRINCIPAL_CACHE_MS });
      if (this.recent.size > PRINCIPAL_CACHE_MAX) this.recent.delete(this.recent.keys().next().value as string);
    }
    return principal;
  }

  /** The principal of a bearer token checked within PRINCIPAL_CACHE_MS and not revoked since; no crypto, no query. */
  cachedPrincipal(token: string): Principal | undefined {
    const hit = this.byToken.get(token);
    if (!hit) return undefined;
    if (hit.until > Date.now()) return hit.principal;
    this.byToken.delete(token);
    return undefined;
  }

  /** Read before a full check; `remember` ignores a check that overlapped a revocation. */
  get revocationGeneration(): number {
    return this.generation;
  }

  /** After passport-jwt and `principalFor` accepted `token`: the guard's fast path may trust it for a while. */
  remember(token: string, principal: Principal, generation: number): void {
    if (generation !== this.generation) return;
    const exp = this.expiresAt(token);
    if (typeof exp !== 'number') return;
    this.byToken.delete(token); // re-inserted last
    this.byToken.set(token, { principal, until: Math.min(Date.now() + PRINCIPAL_CACHE_MS, exp * 1000) });
    if (this.byToken.size > PRINCIPAL_CACHE_MAX) this.byToken.delete(this.byToken.keys().next().value as string);
  }

  /** The user row `principal` was read from, when this service made it (as fresh as the principal). */
  userRowOf(principal: Principal): UserEntity | undefined {
    return this.rows.get(principal);
  }

  /** Seconds until the token expires (for closing long-lived connections on time). */
  expiresAt(token: string): number | undefined {
    return this.jwt.decode<{ exp?: number } | null>(token)?.exp;
  }

  private forget(revocation: Revocation): void {
    this.generation++;
    if ('all' in revocation) {
      this.byToken.clear();
      return this.recent.clear();
    }
    for (const [jti, { principal }] of this.recent) if (isRevoked(revocation, principal.id, jti)) this.recent.delete(jti);
    for (const [token, { principal }] of this.byToken) if (isRevoked(revocation, principal.id, principal.tokenId)) this.byToken.delete(token);
  }
}

function invalidToken(): AuthError {
  return AuthError.unauthenticated('The bearer token is invalid or expired.');
}
