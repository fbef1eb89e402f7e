import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { DomainError } from '../errors/domain-error';

// Apollo's codes for a request the client got wrong (ApolloServerErrorCode), plus Nest's for guards.
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
]);

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
  // Errors GraphQL itself raises (parse, validation, bad input) are the client's: their message is
  // safe to show, but only with the stable code; never extensions such as `stacktrace`, which
  // Apollo adds outside production and which names server files.
  if (typeof code === 'string' && CLIENT_CODES.has(code)) {
    // graphql-js parses recursively: a query nested past what maxTokens lets through overflows
    // the stack, and that engine message is not ours to show.
    const message = /call stack/i.test(formatted.message) ? 'The query nests too deeply.' : formatted.message;
    return { message, locations: formatted.locations, path: formatted.path, extensions: { code } };
  }
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
      // Stack traces never leave the server, whatever NODE_ENV says.
      includeStacktraceInErrorResponses: false,
      // Bounds the work (and the recursion depth) of parsing one query; the API's real queries
      // are a few dozen tokens.
      parseOptions: { maxTokens: 2_000 },
    }),
  ],
})
export class HorizonGraphqlModule {}
