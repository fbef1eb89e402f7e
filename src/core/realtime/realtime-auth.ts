import { Injectable } from '@nestjs/common';
import type { Principal } from '../http/access.decorators';
import { AccessTokenVerifier } from '../auth/access-token-verifier';

// setTimeout fires at once for delays past 2^31 - 1 ms (about 24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

export class RealtimeAuthError extends Error {
  constructor(readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN', message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The handshake of both channels: the same JWT as REST (Nest guards do not run on a Socket.IO
 * connection or a raw upgrade). Admins manage users only, so they get nothing to watch (403 on
 * every domain route).
 */
@Injectable()
export class RealtimeAuth {
  constructor(private readonly tokens: AccessTokenVerifier) {}

  /** The caller and when its token expires (epoch ms); throws RealtimeAuthError. */
  async authenticate(token: unknown): Promise<{ user: Principal; expiresAt?: number }> {
    if (typeof token !== 'string' || token.length === 0) throw new RealtimeAuthError('UNAUTHENTICATED', 'A token is required.');
    let user: Principal;
    try {
      user = await this.tokens.verify(token);
    } catch {
      throw new RealtimeAuthError('UNAUTHENTICATED', 'The token is invalid or expired.');
    }
    if (user.role !== 'user') throw new RealtimeAuthError('FORBIDDEN', 'Admins manage users only; log in as a user to watch resources.');
    const exp = this.tokens.expiresAt(token);
    return { user, expiresAt: exp === undefined ? undefined : exp * 1000 };
  }
}

/**
 * Calls `expire` when `expiresAt` (epoch ms) has passed, so a connection does not outlive its
 * token. Returns the cancel function. The timer does not keep the process alive.
 */
export function onTokenExpiry(expiresAt: number | undefined, expire: () => void): () => void {
  if (expiresAt === undefined) return () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = expiresAt - Date.now();
    if (left <= 0) return expire();
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
