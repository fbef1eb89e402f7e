import { DomainError } from '../errors/domain-error';

export class DataLifecycleError extends DomainError {
  static userNotFound(userId: string): DataLifecycleError {
    return new DataLifecycleError('USER_NOT_FOUND', `No user with id "${userId}".`, { kind: 'not_found' });
  }

  /** The worker is shutting down mid-erasure; the message is requeued and the erasure resumes. */
  static interrupted(userId: string): DataLifecycleError {
    return new DataLifecycleError('ERASURE_INTERRUPTED', `The erasure of user ${userId} was interrupted; it resumes.`, {
      kind: 'unavailable',
      retryable: true,
    });
  }
}
