import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { MessageTransport } from './message-transport';
import { toValidMessage } from './message-validation';
import { MESSAGING_OPTIONS, type ResolvedMessagingOptions } from './messaging.options';
import type { QueueDefinition } from './queue-definition';

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
export class TransportMessagePublisher extends MessagePublisher {
  private readonly registered: ReadonlySet<string>;

  constructor(
    private readonly transport: MessageTransport,
    @Inject(MESSAGING_OPTIONS) options: ResolvedMessagingOptions,
  ) {
    super();
    this.registered = new Set(options.queues.map((q) => q.name));
  }

  async publish<T extends object>(queue: QueueDefinition<T>, message: T, options: { requestId?: string } = {}): Promise<void> {
    // An undeclared queue would make the default exchange drop the message without a word.
    if (!this.registered.has(queue.name)) {
      throw new Error(`Queue "${queue.name}" is not registered with MessagingModule (registered: ${[...this.registered].join(', ') || 'none'})`);
    }
    await toValidMessage(queue, message, 'publish');
    await this.transport.publish(queue, { body: JSON.stringify(message), messageId: randomUUID(), requestId: options.requestId });
  }
}
