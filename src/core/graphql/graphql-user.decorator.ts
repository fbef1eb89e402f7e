import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Principal } from '../http/access.decorators';

/** The authenticated caller of a GraphQL resolver (set by the global JWT guard). */
export const CurrentGraphqlUser = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  return GqlExecutionContext.create(context).getContext<{ req: { user: Principal } }>().req.user;
});
