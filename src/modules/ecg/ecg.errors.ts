import { DomainError } from '../../core/errors/domain-error';

export class EcgError extends DomainError {
  static notFound(id: string): EcgError {
    // Also the answer for another user's ECG: existence must not leak (DESIGN §1).
    return new EcgError('ECG_NOT_FOUND', `No ECG with id "${id}".`, { kind: 'not_found' });
  }

  static alreadyExists(id: string): EcgError {
    return new EcgError('ECG_ALREADY_EXISTS', `You already submitted an ECG with id "${id}".`, { kind: 'conflict' });
  }

  static processing(id: string): EcgError {
    return new EcgError('ECG_PROCESSING', `ECG "${id}" is being analysed; delete it once it is completed or failed.`, { kind: 'conflict' });
  }

  /** A stored ECG that cannot be analysed; retrying gives the same result, so the worker dead-letters it. */
  static unprocessable(detail: string): EcgError {
    return new EcgError('ECG_UNPROCESSABLE', detail, { kind: 'bad_request', retryable: false });
  }
}
