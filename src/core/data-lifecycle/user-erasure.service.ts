import { Injectable, Logger } from '@nestjs/common';
import { MessagePublisher } from '../messaging/message-publisher';
import { DataLifecycleError } from './data-lifecycle.errors';
import { DataLifecycleRegistry } from './feature-data-lifecycle';
import { USERS_ERASE } from './user-erasure.messages';
import { UserErasuresRepository } from './user-erasures.repository';

/**
 * Erasing a user: `requestErasure` (the API, behind `DELETE /api/v1/users/{id}`) records the
 * erasure and queues it; `erase` (the worker, on `users.erase`) erases feature by feature, objects
 * before rows, and deletes the user row last. Each step is idempotent, so a redelivered message,
 * a second worker or a resumed erasure after a crash just finds less to do.
 */
@Injectable()
export class UserErasureService {
  private readonly logger = new Logger(UserErasureService.name);

  constructor(
    private readonly erasures: UserErasuresRepository,
    private readonly registry: DataLifecycleRegistry,
    private readonly publisher: MessagePublisher,
  ) {}

  /**
   * Records the erasure (a second request for the same user changes nothing) and queues it. The
   * caller answers 202 at once; the user row stays until the erasure is done, so the caller must
   * already have refused the user's tokens. Throws USER_NOT_FOUND for an unknown user.
   */
  async requestErasure(userId: string, requestId?: string): Promise<void> {
    if (!(await this.erasures.request(userId, requestId?.slice(0, 128) ?? null))) throw DataLifecycleError.userNotFound(userId);
    try {
      await this.publisher.publish(USERS_ERASE, { user_id: userId }, { requestId });
    } catch (error) {
      // Recorded: the sweeper publishes it again shortly.
      this.logger.warn(`erasure of user ${userId} recorded but not queued (${(error as Error).message}); the sweeper will retry`);
    }
  }

  /** Whether an erasure of the user is recorded and not finished. */
  async isErasing(userId: string): Promise<boolean> {
    return (await this.erasures.find(userId)) !== null;
  }

  /** Erases everything of the user, then the user; does nothing when no erasure is recorded (already done). */
  async erase(userId: string, signal?: AbortSignal): Promise<'erased' | 'nothing-to-do'> {
    if (!(await this.erasures.find(userId))) return 'nothing-to-do';
    for (const feature of this.registry.all()) {
      if (signal?.aborted) throw DataLifecycleError.interrupted(userId);
      await feature.eraseOwner(userId);
      await this.erasures.touch(userId);
    }
    if (signal?.aborted) throw DataLifecycleError.interrupted(userId);
    await this.erasures.deleteUser(userId);
    this.logger.log(`user ${userId} erased (${this.registry.all().map((f) => f.name).join(', ')})`);
    return 'erased';
  }
}
