/**
 * What went wrong, in terms both edges understand: the HTTP filter maps a kind to a status, the
 * worker maps it to retry or dead-letter.
 */
export type ErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'validation'
  | 'too_large'
  | 'unsupported_media_type'
  | 'unavailable'
  /** Too many attempts: 429, with `Retry-After` when `retryAfterS` is set. */
  | 'rate_limited';

export interface FieldError {
  path: string;
  message: string;
}

/**
 * Base class for every error a service throws on purpose. `code` is the stable UPPER_SNAKE
 * identifier clients see. A domain error is permanent for the worker unless `retryable` is set.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly options: { kind?: ErrorKind; retryable?: boolean; errors?: FieldError[]; retryAfterS?: number } = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  get kind(): ErrorKind {
    return this.options.kind ?? 'bad_request';
  }

  get retryable(): boolean {
    return this.options.retryable ?? this.kind === 'unavailable';
  }

  get errors(): FieldError[] | undefined {
    return this.options.errors;
  }
}
