import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DeadLetterContext, MessageContext } from '../messaging/message-context';
import { UserEraseMessage, USERS_ERASE } from './user-erasure.messages';
import { UserErasureService } from './user-erasure.service';

/** `users.erase`: returning acks; a failure (storage or database down) is retried. */
@Controller()
export class UserErasureConsumer {
  private readonly logger = new Logger(UserErasureConsumer.name);

  constructor(private readonly erasure: UserErasureService) {}

  @EventPattern(USERS_ERASE.name)
  async eraseUser(@Payload() message: UserEraseMessage, @Ctx() context: MessageContext): Promise<void> {
    await this.erasure.erase(message.user_id, context.signal);
  }

  @EventPattern(USERS_ERASE.deadLetters)
  eraseGaveUp(@Payload() message: UserEraseMessage | undefined, @Ctx() { error, attempt }: DeadLetterContext): void {
    // The erasure row stays; the sweeper publishes it again once it has been quiet long enough.
    if (message) this.logger.warn(`erasure of user ${message.user_id} failed ${attempt} times (${error.message}); the sweeper will retry`);
  }
}
