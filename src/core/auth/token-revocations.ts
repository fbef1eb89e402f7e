import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { Broadcaster, type BroadcastSubscription } from '../messaging/broadcast';

/** The fanout exchange (RabbitMQ) or in-process channel every revocation goes through. */
export const REVOCATIONS_EXCHANGE = 'horizon.revocations';

/**
 * Tokens that stopped being valid: every token of a user (`tokenId` unset), or one token. `all`
 * means revocations may have been missed (the broker connection dropped): forget everything cached.
 */
export type Revocation = UserRevocation | { all: true };

/** Every token of the user, or only `tokenId`, or all but `exceptTokenId` (a password change keeps the caller's). */
export interface UserRevocation {
  userId: string;
  tokenId?: string;
  exceptTokenId?: string;
}

type Listener = (revocation: Revocation) => void;

/**
 * Revocation fan-out between gateways. The database is the truth (the token and user rows); this
 * only tells every gateway to drop what it derived from them: the principal cache, and the
 * Socket.IO and WebSocket connections opened with a revoked token. The announcing gateway tells
 * its own listeners at once, before the broadcast; every other gateway hears it from its own queue.
 */
@Injectable()
export class TokenRevocations implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Revocations');
  private readonly listeners = new Set<Listener>();
  private subscription?: BroadcastSubscription;

  constructor(private readonly broadcaster: Broadcaster) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.broadcaster.subscribe(REVOCATIONS_EXCHANGE, (body) => this.receive(body), {
      onRebound: () => this.notify({ all: true }),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
    this.subscription = undefined;
  }

  /** Called after the revocation is committed to the database. */
  async announce(revocation: UserRevocation): Promise<void> {
    this.notify(revocation);
    const body = { user_id: revocation.userId, token_id: revocation.tokenId, except_token_id: revocation.exceptTokenId };
    try {
      await this.broadcaster.publish(REVOCATIONS_EXCHANGE, JSON.stringify(body));
    } catch (err) {
      // Other gateways still refuse the token once their cache entry expires (PRINCIPAL_CACHE_MS).
      this.logger.error(`Could not broadcast a revocation: ${(err as Error).message}`);
    }
  }

  /** Returns the unsubscribe function. */
  onRevoked(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private receive(body: string): void {
    const revocation = parseRevocation(body);
    if (!revocation) {
      this.logger.warn(`Ignored a message on "${REVOCATIONS_EXCHANGE}" that is not a revocation: ${body.slice(0, 200)}`);
      return;
    }
    this.notify(revocation);
  }

  private notify(revocation: Revocation): void {
    for (const listener of this.listeners) {
      try {
        listener(revocation);
      } catch (err) {
        this.logger.error(`A revocation listener failed: ${(err as Error).message}`);
      }
    }
  }
}

export function parseRevocation(body: string): Revocation | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const { user_id, token_id, except_token_id } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const optionalId = (v: unknown) => v === undefined || (typeof v === 'string' && isUUID(v));
  if (typeof user_id !== 'string' || !isUUID(user_id) || !optionalId(token_id) || !optionalId(except_token_id)) return undefined;
  return { userId: user_id, tokenId: token_id as string | undefined, exceptTokenId: except_token_id as string | undefined };
}

/** Whether a connection opened by `user` with token `tokenId` is covered by `revocation`. */
export function isRevoked(revocation: Revocation, userId: string, tokenId: string | undefined): boolean {
  if ('all' in revocation) return false; // nothing known to be revoked; caches are dropped instead
  if (revocation.userId !== userId) return false;
  if (revocation.tokenId !== undefined) return revocation.tokenId === tokenId;
  return revocation.exceptTokenId === undefined || revocation.exceptTokenId !== tokenId;
}
