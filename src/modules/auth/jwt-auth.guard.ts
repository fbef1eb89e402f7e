import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext, GqlContextType } from '@nestjs/graphql';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { IS_PUBLIC, Principal, ROLES, Role } from '../../core/http/access.decorators';
import { AuthError } from './auth.errors';
import { bearerTokenOf, TokenService } from './token.service';

type AuthRequest = Request & { user?: Principal };

const noop = (): void => undefined;

/** The HTTP request behind a REST route or a GraphQL resolver; undefined for other contexts. */
function requestOf(context: ExecutionContext): AuthRequest | undefined {
  if (context.getType() === 'http') return context.switchToHttp().getRequest<AuthRequest>();
  if (context.getType<GqlContextType>() === 'graphql') return GqlExecutionContext.create(context).getContext<{ req: AuthRequest }>().req;
  return undefined;
}

/**
 * A route's metadata never changes once the app runs: read it once per handler (and class),
 * not on every request (Reflect.getMetadata twice per guard per request otherwise).
 */
class MetadataCache<T> {
  private readonly byHandler = new WeakMap<object, Map<object, T | undefined>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly key: string,
  ) {}

  get(context: ExecutionContext): T | undefined {
    const handler = context.getHandler();
    const cls = context.getClass();
    let byClass = this.byHandler.get(handler);
    if (!byClass) this.byHandler.set(handler, (byClass = new Map()));
    if (byClass.has(cls)) return byClass.get(cls);
    const value = this.reflector.getAllAndOverride<T>(this.key, [handler, cls]);
    byClass.set(cls, value);
    return value;
  }
}

/** Every route and resolver needs a valid bearer token unless marked @Public() (passport-jwt, JwtStrategy). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly isPublic: MetadataCache<boolean>;
  /**
   * Full checks in flight, by token. When a cached principal expires, every request of that
   * client in flight (an SPA's burst, a bench's 50 connections) would otherwise run passport, the
   * HMAC and the user query at once; the first one checks, the others wait for its verdict.
   */
  private readonly checking = new Map<string, Promise<void>>();

  constructor(
    reflector: Reflector,
    private readonly tokens: TokenService,
  ) {
    super();
    this.isPublic = new MetadataCache(reflector, IS_PUBLIC);
  }

  /**
   * Fast path: a bearer token checked within PRINCIPAL_CACHE_MS (and not revoked since) skips
   * passport, the HMAC and the database. Anything else goes through passport-jwt as before, once
   * per token at a time (`checking`).
   */
  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const req = requestOf(context);
    if (!req) return true;
    if (this.isPublic.get(context)) return true;
    const token = bearerTokenOf(req.headers.authorization);
    const cached = token === undefined ? undefined : this.tokens.cachedPrincipal(token);
    if (cached) {
      req.user = cached;
      return true;
    }
    if (token === undefined) return this.checkFully(context, req, token);
    const running = this.checking.get(token);
    if (running) return running.then(() => this.afterSharedCheck(context, req, token));
    const check = this.checkFully(context, req, token);
    const settled = check.then(noop, noop);
    this.checking.set(token, settled);
    void settled.then(() => this.checking.delete(token));
    return check;
  }

  /**
   * Another request checked the same token meanwhile: its verdict is in the cache when it was
   * accepted (and not revoked during the check); otherwise this request is checked on its own, so
   * it gets its own error (expired, revoked, database failure) exactly as before.
   */
  private afterSharedCheck(context: ExecutionContext, req: AuthRequest, token: string): boolean | Promise<boolean> {
    const cached = this.tokens.cachedPrincipal(token);
    if (!cached) return this.checkFully(context, req, token);
    req.user = cached;
    return true;
  }

  private async checkFully(context: ExecutionContext, req: AuthRequest, token: string | undefined): Promise<boolean> {
    const generation = this.tokens.revocationGeneration;
    const ok = (await super.canActivate(context)) as boolean;
    if (ok && token !== undefined && req.user) this.tokens.remember(token, req.user, generation);
    return ok;
  }

  override getRequest(context: ExecutionContext): AuthRequest | undefined {
    return requestOf(context);
  }

  /** Our problem+json 401s instead of passport's bare UnauthorizedException. */
  override handleRequest<TUser = Principal>(error: unknown, user: TUser | false, info: unknown): TUser {
    if (error) throw error; // AuthError from TokenService.principalFor, or a database failure
    if (!user) {
      // passport-jwt says "No auth token" when there is no `Authorization: Bearer` header at all
      throw info instanceof Error && info.message === 'No auth token'
        ? AuthError.unauthenticated()
        : AuthError.unauthenticated('The bearer token is invalid or expired.');
    }
    return user;
  }
}

/** Applies @Roles(): a role that may not use a route gets 403. */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly roles: MetadataCache<Role[]>;

  constructor(reflector: Reflector) {
    this.roles = new MetadataCache(reflector, ROLES);
  }

  canActivate(context: ExecutionContext): boolean {
    const req = requestOf(context);
    if (!req) return true;
    const roles = this.roles.get(context);
    if (!roles) return true;
    const user = req.user;
    if (!user || !roles.includes(user.role)) throw AuthError.forbidden();
    return true;
  }
}

