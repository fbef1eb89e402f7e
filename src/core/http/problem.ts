import { HttpException, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, ErrorKind, FieldError } from '../errors/domain-error';

/** RFC 9457 problem details, as every error leaves this service. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  request_id?: string;
}

const KIND_STATUS: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  validation: 422,
  too_large: 413,
  unsupported_media_type: 415,
  unavailable: 503,
  rate_limited: 429,
};

const STATUS_CODE: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_FAILED',
  429: 'RATE_LIMITED',
  500: 'INTERNAL_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

function titleOf(status: number): string {
  const name = HttpStatus[status];
  return name ? name.toLowerCase().split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join(' ') : 'Error';
}

export function problem(status: number, code: string, detail: string, errors?: FieldError[]): ProblemDetails {
  return {
    type: `https://horizon.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: titleOf(status),
    status,
    detail,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** Errors raised by body-parser and friends carry `type` and `status`, not an HttpException. */
function fromParserError(error: { type?: string; status?: number; message?: string }): ProblemDetails | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return problem(400, 'MALFORMED_JSON', 'The request body is not valid JSON.');
    case 'entity.too.large':
      return problem(413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than this route accepts.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return problem(415, 'UNSUPPORTED_MEDIA_TYPE', error.message ?? 'Unsupported body encoding.');
    case 'request.aborted':
      return problem(400, 'REQUEST_ABORTED', 'The client aborted the request.');
    default:
      return undefined;
  }
}

/**
 * A validly signed token whose user is gone (deleted, or a database restored without it) gets as
 * far as inserting a row it owns; the `<table>_owner_id_fkey` constraint every owned table has
 * then refuses it. That is the caller's credential, not our bug: 401, as for any dead token.
 */
function fromOwnerGone(error: object): ProblemDetails | undefined {
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  if (code === '23503' && typeof constraint === 'string' && constraint.endsWith('_owner_id_fkey')) {
    return problem(401, 'UNAUTHORIZED', 'The account this token was issued for no longer exists.');
  }
  return undefined;
}

/** Maps anything thrown while serving a request to a problem; `undefined` means a bug (500). */
export function toProblem(error: unknown): ProblemDetails | undefined {
  if (error instanceof DomainError) {
    return problem(KIND_STATUS[error.kind], error.code, error.message, error.errors);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status >= 500) return undefined;
    const body = error.getResponse();
    const message = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? error.message);
    const detail = Array.isArray(message) ? message.join('; ') : String(message);
    return problem(status, STATUS_CODE[status] ?? `HTTP_${status}`, detail);
  }
  if (error && typeof error === 'object' && 'type' in error) {
    return fromParserError(error as { type?: string });
  }
  if (error && typeof error === 'object') return fromOwnerGone(error);
  return undefined;
}

export function internalProblem(): ProblemDetails {
  return problem(500, 'INTERNAL_ERROR', 'Something went wrong on our side; quote the request_id when reporting it.');
}

export function sendProblem(res: Response, body: ProblemDetails): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}
