import { DomainError } from '../../core/errors/domain-error';

export class AuthError extends DomainError {
  static invalidCredentials(): AuthError {
    // One answer for an unknown user and a wrong password, so usernames cannot be probed.
    return new AuthError('INVALID_CREDENTIALS', 'The username or password is wrong.', { kind: 'unauthorized' });
  }

  static unauthenticated(detail = 'A valid bearer token is required.'): AuthError {
    return new AuthError('UNAUTHORIZED', detail, { kind: 'unauthorized' });
  }

  static forbidden(): AuthError {
    return new AuthError('FORBIDDEN', 'Your role may not use this route.', { kind: 'forbidden' });
  }

  static usernameTaken(username: string): AuthError {
    return new AuthError('USERNAME_TAKEN', `The username "${username}" is already taken.`, { kind: 'conflict' });
  }

  static userNotFound(): AuthError {
    return new AuthError('USER_NOT_FOUND', 'No such user.', { kind: 'not_found' });
  }
}
