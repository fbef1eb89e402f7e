import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { DomainError } from '../errors/domain-error';

/**
 * `POST /graphql`, code-first, the same JWT and owner scoping as REST (the global guards run on
 * resolvers too). Domain errors keep their code; anything else is reported without internals.
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) {
    return { message: original.message, path: formatted.path, extensions: { code: original.code } };
  }
  const code = formatted.extensions?.code;
  // Errors GraphQL itself raises (parse, validation) are the client's and safe to show.
  if (code && code !== 'INTERNAL_SERVER_ERROR') return formatted;
  return { message: 'Something went wrong on our side.', path: formatted.path, extensions: { code: 'INTERNAL_ERROR' } };
}

@Module({
  imports: [
    GraphQLModule.forRoot<ApolloDriverConfig>({
      driver: ApolloDriver,
      path: '/graphql',
      autoSchemaFile: true,
      sortSchema: true,
      playground: false,
      introspection: true,
      context: ({ req }: { req: unknown }) => ({ req }),
      formatError: formatGraphqlError,
    }),
  ],
})
export class HorizonGraphqlModule {}
