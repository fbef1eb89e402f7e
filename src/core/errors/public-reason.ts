import { DomainError } from './domain-error';

// Node's socket errors and PostgreSQL's SQLSTATE classes 08 (connection) and 57 (operator
// intervention: shutdown, restart) mean a dependency was away, not that the input was wrong.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * What a user may read about a failure stored on their resource (a job's `error`): a domain
 * error's own message, or a category. Never a driver's text, SQL or a server path; the full
 * error belongs in the logs.
 */
export function publicReason(error: unknown): string {
  if (error instanceof DomainError) return error.message;
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  const message = String((error as { message?: unknown } | null)?.message ?? '');
  if (UNAVAILABLE_CODES.has(code) || /^(08|57)/.test(code) || /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(message)) {
    return 'the database, the broker or the storage was unavailable';
  }
  return 'an internal error (logged on the server)';
}
