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

  static lastAdmin(): AuthError {
    return new AuthError('LAST_ADMIN', 'This is the last enabled admin: it cannot be disabled, demoted or deleted. Make another admin first.', {
      kind: 'conflict',
    });
  }

  static loginThrottled(retryAfterS: number): AuthError {
    // The same answer whether the username exists or not; the client waits and tries again.
    return new AuthError('LOGIN_THROTTLED', `Too many failed logins; try again in ${retryAfterS} s.`, { kind: 'rate_limited', retryAfterS });
  }

  static accountDisabled(): AuthError {
    // Only after the right password: it tells nothing to someone guessing.
    return new AuthError('ACCOUNT_DISABLED', 'This account is disabled; ask an admin.', { kind: 'unauthorized' });
  }

  static wrongCurrentPassword(): AuthError {
    return new AuthError('INVALID_CURRENT_PASSWORD', 'The current password is wrong.', { kind: 'unauthorized' });
  }
}
