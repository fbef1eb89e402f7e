import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

export type Role = 'user' | 'admin';

/** The authenticated caller, as the JWT guard puts it on the request. */
export interface Principal {
  id: string;
  username: string;
  role: Role;
  /** The `jti` of the token the caller presented (revocation closes what it opened). */
  tokenId?: string;
}

export const IS_PUBLIC = 'horizon:public';
export const ROLES = 'horizon:roles';

/** Opens a route to callers without a token (token route, health, metrics, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Restricts a route to these roles; routes without it accept any authenticated caller. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest().user as Principal;
});
