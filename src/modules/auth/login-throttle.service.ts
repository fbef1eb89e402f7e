import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config';
import { AuthError } from './auth.errors';
import { LoginThrottlesRepository } from './login-throttles.repository';

// Back-off once a key reaches its threshold: 1 s, doubling with each further failure, at most
// 15 min. A key's count starts over an hour after its last failure.
const BASE_S = 1;
const MAX_S = 15 * 60;
const RESET_AFTER_S = 60 * 60;

/**
 * Failed logins per username and per client address, in PostgreSQL so that every gateway sees the
 * same counts. The username key is the name as typed (lower-cased), whether or not such a user
 * exists, so the answers tell nothing about which usernames are real.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    private readonly throttles: LoginThrottlesRepository,
    private readonly config: AppConfig,
  ) {}

  /** Throws LOGIN_THROTTLED (429, Retry-After) while either key is backing off. */
  async check(username: string, address: string): Promise<void> {
    const until = await this.throttles.blockedUntil([usernameKey(username), addressKey(address)]);
    if (until) throw AuthError.loginThrottled(Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000)));
  }

  async recordFailure(username: string, address: string): Promise<void> {
    const { usernameFailures, addressFailures } = this.config.loginThrottle;
    const rule = { baseS: BASE_S, maxS: MAX_S, resetAfterS: RESET_AFTER_S };
    await this.throttles.recordFailure(usernameKey(username), { ...rule, threshold: usernameFailures });
    await this.throttles.recordFailure(addressKey(address), { ...rule, threshold: addressFailures });
  }

  /** A successful login clears its username's count; the address keeps its own (one good account must not unlock guessing others). */
  async recordSuccess(username: string): Promise<void> {
    await this.throttles.clear(usernameKey(username));
  }
}

const usernameKey = (username: string) => `username:${username.toLowerCase()}`.slice(0, 128);
const addressKey = (address: string) => `address:${address}`.slice(0, 128);
