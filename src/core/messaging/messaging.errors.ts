import { DomainError } from '../errors/domain-error';

/** Throw from a message handler when retrying cannot help: the message is dead-lettered at once. */
export class PermanentMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A message that does not match its queue's DTO (or is not JSON at all). */
export class MessageValidationError extends PermanentMessageError {
  constructor(
    readonly queue: string,
    readonly errors: { path: string; message: string }[],
  ) {
    super(`Invalid message for queue "${queue}": ${errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')}`);
  }
}

/**
 * Whether a handler failure is worth another attempt. Permanent errors, invalid messages and
 * non-retryable domain errors dead-letter; anything else (database down, network, timeouts) is
 * presumed transient and retried.
 */
export function classifyFailure(err: unknown): 'retry' | 'dead-letter' {
  if (err instanceof PermanentMessageError) return 'dead-letter';
  if (err instanceof DomainError) return err.retryable ? 'retry' : 'dead-letter';
  return 'retry';
}
