import type { QueueDefinition } from './queue-definition';

export const DEAD_LETTER_EXCHANGE = 'horizon.dlx';

export function deadLetterQueueName(queue: string): string {
  return `${queue}.dead`;
}

export interface OutboundMessage {
  /** JSON text of the validated message. */
  body: string;
  messageId: string;
  requestId?: string;
}

export interface Delivery {
  queue: string;
  body: Buffer | string;
  messageId: string;
  requestId?: string;
  /** How often the message was delivered before and not acked (0 on the first delivery). */
  deliveryCount: number;
}

/** Exactly one of these is called per delivery; the dispatcher guarantees it. */
export interface Settlement {
  ack(): void;
  requeue(): void;
  deadLetter(): void;
}

export type DeliveryListener = (delivery: Delivery, settlement: Settlement) => Promise<void>;

/**
 * What a broker must offer; RabbitMQ and the in-process transport implement it, and the dispatcher
 * (message-dispatch.ts) decides every outcome so that both behave the same.
 */
export abstract class MessageTransport {
  /** Resolves once the broker has the message (publisher confirm for RabbitMQ). */
  abstract publish(queue: QueueDefinition, message: OutboundMessage): Promise<void>;
  /** One consumer per queue, at most `prefetch` unsettled deliveries each. */
  abstract consume(queues: readonly QueueDefinition[], prefetch: number, listener: DeliveryListener): Promise<void>;
  /** Stops new deliveries; in-flight ones can still be settled. */
  abstract cancelConsumers(): Promise<void>;
  abstract close(): Promise<void>;
  abstract check(): Promise<void>;
  /** Ready messages per queue and per `<queue>.dead`. */
  abstract queueDepths(): Promise<Map<string, number>>;
}
