import { Inject, Injectable, Optional } from '@nestjs/common';
import { MessagePublisher } from '../messaging/message-publisher';
import { StaleWorkSweeper } from '../scheduling/stale-work-sweeper';
import { UserEraseMessage, USERS_ERASE } from './user-erasure.messages';
import { ErasureRef, UserErasuresRepository } from './user-erasures.repository';

export interface UserErasureSweeperOptions {
  intervalMs: number;
  /** An erasure untouched this long lost its message or its worker (a worker touches it after each feature). */
  staleAfterMs: number;
  batchSize: number;
}

export const USER_ERASURE_SWEEPER_OPTIONS = Symbol('USER_ERASURE_SWEEPER_OPTIONS');

/**
 * Re-publishes erasures whose message was lost or whose worker crashed midway; the resumed erasure
 * finds only what is left. There is no budget to fail: an erasure is retried until it is done.
 */
@Injectable()
export class UserErasureSweeper extends StaleWorkSweeper<ErasureRef, UserEraseMessage> {
  private readonly options: UserErasureSweeperOptions;

  constructor(
    private readonly erasures: UserErasuresRepository,
    publisher: MessagePublisher,
    @Optional() @Inject(USER_ERASURE_SWEEPER_OPTIONS) options: Partial<UserErasureSweeperOptions> = {},
  ) {
    const resolved = { intervalMs: 15_000, staleAfterMs: 60_000, batchSize: 100, ...options };
    super(publisher, USERS_ERASE, { name: 'user erasure sweep', intervalMs: resolved.intervalMs });
    this.options = resolved;
  }

  protected claimStale(): Promise<ErasureRef[]> {
    return this.erasures.claimStale(this.options.staleAfterMs, this.options.batchSize);
  }

  protected messageFor(erasure: ErasureRef): UserEraseMessage {
    return { user_id: erasure.userId };
  }

  protected describe(erasure: ErasureRef): string {
    return `erasure of user ${erasure.userId}`;
  }
}
