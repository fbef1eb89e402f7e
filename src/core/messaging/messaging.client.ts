import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { MessageTransport } from './message-transport';
import { toValidMessage } from './message-validation';
import { MESSAGING_OPTIONS, type ResolvedMessagingOptions } from './messaging.options';
import type { QueueDefinition } from './queue-definition';

/** A message with its publishing options, for `MessagingClient.emit(queue.name, record)`. */
export class MessageRecord<T extends object = object> {
  constructor(
    readonly message: T,
    readonly options: { requestId?: string } = {},
  ) {}
}

/**
 * Nest's client side of our transport: `emit(queue.name, message | MessageRecord)` validates the
 * message against the queue's DTO (unknown fields refused) and resolves once the broker has it
 * (persistent and confirmed on RabbitMQ). Queues carry events only, so `send()` (request-reply)
 * fails with an error saying so. Features use the typed front, `MessagePublisher.publish`.
 */
@Injectable()
export class MessagingClient extends ClientProxy {
  private readonly queues: ReadonlyMap<string, QueueDefinition>;

  constructor(
    private readonly transport: MessageTransport,
    @Inject(MESSAGING_OPTIONS) options: ResolvedMessagingOptions,
  ) {
    super();
    this.queues = new Map(options.queues.map((q) => [q.name, q]));
  }

  /** The transport connects when MessagingModule starts; nothing to do per call. */
  async connect(): Promise<void> {}

  /** MessagingModule closes the transport once the consumers have drained (MessagingServer). */
  async close(): Promise<void> {}

  unwrap<T>(): T {
    return this.transport as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({
      err: new Error(
        `Request-reply is not supported: queue "${this.normalizePattern(packet.pattern)}" carries events; use emit() or MessagePublisher.publish()`,
      ),
    });
    return () => undefined;
  }

  protected async dispatchEvent<T = void>(packet: ReadPacket): Promise<T> {
    const name = this.normalizePattern(packet.pattern);
    const queue = this.queues.get(name);
    // An undeclared queue would make the default exchange drop the message without a word.
    if (!queue) {
      throw new Error(`Queue "${name}" is not registered with MessagingModule (registered: ${[...this.queues.keys()].join(', ') || 'none'})`);
    }
    const { message, options } = packet.data instanceof MessageRecord ? packet.data : new MessageRecord(packet.data as object);
    await toValidMessage(queue, message, 'publish');
    await this.transport.publish(queue, { body: JSON.stringify(message), messageId: randomUUID(), requestId: options.requestId });
    return undefined as T;
  }
}
