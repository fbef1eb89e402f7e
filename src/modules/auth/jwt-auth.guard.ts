import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext, GqlContextType } from '@nestjs/graphql';
import type { Request } from 'express';
import { IS_PUBLIC, Principal, ROLES, Role } from '../../core/http/access.decorators';
import { AuthError } from './auth.errors';
import { TokenService } from './token.service';

type AuthRequest = Request & { user?: Principal };

/** The HTTP request behind a REST route or a GraphQL resolver; undefined for other contexts. */
function requestOf(context: ExecutionContext): AuthRequest | undefined {
  if (context.getType() === 'http') return context.switchToHttp().getRequest<AuthRequest>();
  if (context.getType<GqlContextType>() === 'graphql') return GqlExecutionContext.create(context).getContext<{ req: AuthRequest }>().req;
  return undefined;
}

/** Every route and resolver needs a valid bearer token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = requestOf(context);
    if (!req) return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw AuthError.unauthenticated();
    req.user = await this.tokens.verify(token);
    return true;
  }
}

/** Applies @Roles(): a role that may not use a route gets 403. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const req = requestOf(context);
    if (!req) return true;
    const roles = this.reflector.getAllAndOverride<Role[]>(ROLES, [context.getHandler(), context.getClass()]);
    if (!roles) return true;
    const user = req.user;
    if (!user || !roles.includes(user.role)) throw AuthError.forbidden();
    return true;
  }
}

