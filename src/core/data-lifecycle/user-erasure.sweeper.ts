import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { MessagePublisher } from '../messaging/message-publisher';
import { PeriodicTask } from '../scheduling/periodic-task';
import { USERS_ERASE } from './user-erasure.messages';
import { UserErasuresRepository } from './user-erasures.repository';

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
 * Not a core/workload sweeper: an erasure has no status events or snapshots, only this recovery.
 */
@Injectable()
export class UserErasureSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(UserErasureSweeper.name);
  private readonly options: UserErasureSweeperOptions;
  private readonly task: PeriodicTask;

  constructor(
    private readonly erasures: UserErasuresRepository,
    private readonly publisher: MessagePublisher,
    @Optional() @Inject(USER_ERASURE_SWEEPER_OPTIONS) options: Partial<UserErasureSweeperOptions> = {},
  ) {
    this.options = { intervalMs: 15_000, staleAfterMs: 60_000, batchSize: 100, ...options };
    this.task = new PeriodicTask('user erasure sweep', this.options.intervalMs, () => this.sweep(), this.logger);
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  /** One round now (`staleAfterMs` overridable, e.g. 0 in tests); answers how many erasures were re-published. */
  async sweep(overrides: Partial<Pick<UserErasureSweeperOptions, 'staleAfterMs'>> = {}): Promise<number> {
    const stale = await this.erasures.claimStale(overrides.staleAfterMs ?? this.options.staleAfterMs, this.options.batchSize);
    let republished = 0;
    for (const erasure of stale) {
      try {
        await this.publisher.publish(USERS_ERASE, { user_id: erasure.userId }, { requestId: erasure.requestId ?? undefined });
        republished++;
      } catch (error) {
        // Claimed but not published: its claim ages like any other row, so a later round takes it again.
        this.logger.warn(`could not re-publish the erasure of user ${erasure.userId}: ${(error as Error).message}`);
      }
    }
    if (stale.length > 0) this.logger.log(`re-published ${republished} of ${stale.length} stalled erasure(s)`);
    return republished;
  }
}
