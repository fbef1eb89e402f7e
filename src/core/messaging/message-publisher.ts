import { Injectable } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';
import { MessageRecord, MessagingClient } from './messaging.client';
import type { QueueDefinition } from './queue-definition';

/** The typed front features inject: `publisher.publish(QUEUE, message)`. */
export abstract class MessagePublisher {
  /**
   * Validates `message` against the queue's DTO (unknown fields refused) and resolves once the broker
   * has it: persistent and confirmed on RabbitMQ, enqueued in memory otherwise. Throws
   * `MessageValidationError` for an invalid message and an error for an unregistered queue or an
   * unconfirmed publish.
   */
  abstract publish<T extends object>(queue: QueueDefinition<T>, message: T, options?: { requestId?: string }): Promise<void>;
}

@Injectable()
export class ClientMessagePublisher extends MessagePublisher {
  constructor(private readonly client: MessagingClient) {
    super();
  }

  publish<T extends object>(queue: QueueDefinition<T>, message: T, options: { requestId?: string } = {}): Promise<void> {
    return lastValueFrom(this.client.emit<void>(queue.name, new MessageRecord(message, options)), { defaultValue: undefined });
  }
}
