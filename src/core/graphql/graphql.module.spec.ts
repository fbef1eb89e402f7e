import { GraphQLError } from 'graphql';
import { formatGraphqlError } from './graphql.module';

describe('formatGraphqlError', () => {
  it('keeps the message and code of a client error but never its stack trace', () => {
    const formatted = {
      message: 'Syntax Error: Expected Name, found <EOF>.',
      locations: [{ line: 1, column: 2 }],
      extensions: { code: 'GRAPHQL_PARSE_FAILED', stacktrace: ['GraphQLError: at /srv/node_modules/graphql/language/parser.js:1'] },
    };
    expect(formatGraphqlError(formatted, new GraphQLError(formatted.message))).toEqual({
      message: formatted.message,
      locations: formatted.locations,
      path: undefined,
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
  });

  it('hides anything unexpected behind INTERNAL_ERROR', () => {
    const formatted = { message: 'relation "jobs" does not exist', extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at /srv'] } };
    expect(formatGraphqlError(formatted, new Error('relation "jobs" does not exist'))).toEqual({
      message: 'Something went wrong on our side.',
      path: undefined,
      extensions: { code: 'INTERNAL_ERROR' },
    });
  });
});
