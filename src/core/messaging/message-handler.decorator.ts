import { SetMetadata } from '@nestjs/common';
import type { QueueDefinition } from './queue-definition';

export interface MessageContext {
  queue: string;
  requestId?: string;
  /** 1 on the first delivery; counts broker redeliveries too (crash, lost connection). */
  attempt: number;
  maxAttempts: number;
  messageId: string;
  /** Aborted when shutdown starts: checkpoint and return (or throw) so the message can be requeued. */
  signal: AbortSignal;
}

export const MESSAGE_HANDLER_METADATA = 'horizon:messaging:handler';
export const DEAD_LETTER_HANDLER_METADATA = 'horizon:messaging:dead-letter-handler';

type HandlerMethod<T> = (message: T, context: MessageContext) => Promise<void>;
type DeadLetterMethod<T> = (message: T | undefined, error: Error, context: MessageContext) => Promise<void>;

/**
 * Makes a provider method the consumer of `queue`. It receives the validated message DTO; returning
 * acks the message, throwing retries it (with backoff, up to `retry.maxAttempts`) or dead-letters it
 * (see `classifyFailure`). Exactly one handler per queue; a consumed queue without one fails start-up.
 */
export function MessageHandler<T extends object>(queue: QueueDefinition<T>) {
  return <M extends HandlerMethod<T>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    SetMetadata(MESSAGE_HANDLER_METADATA, queue)(target, key, descriptor);
  };
}

/**
 * Optional: called when the messaging layer dead-letters a message of `queue` (permanent error,
 * invalid message, or attempts exhausted), before it moves to `<queue>.dead`, so the feature can
 * mark its row failed. `message` is undefined when the message itself could not be read. A failure
 * here is logged and does not stop the dead-lettering.
 */
export function DeadLetterHandler<T extends object>(queue: QueueDefinition<T>) {
  return <M extends DeadLetterMethod<T>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    SetMetadata(DEAD_LETTER_HANDLER_METADATA, queue)(target, key, descriptor);
  };
}
