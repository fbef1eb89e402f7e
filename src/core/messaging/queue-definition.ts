import type { Type } from '@nestjs/common';
import { deadLetterQueueName } from './message-transport';

/** How often a message is tried and how long to wait between tries. */
export interface RetryPolicy {
  /** Attempts including the first; the last failure dead-letters the message. */
  maxAttempts: number;
  /** Wait before the second attempt; doubles per attempt up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
}

export interface QueueDefinition<T extends object = object> {
  readonly name: string;
  /** The message DTO: validated with class-validator on publish and on consume. */
  readonly message: Type<T>;
  readonly retry: RetryPolicy;
  /**
   * `<name>.dead`: the dead-letter queue, and the pattern of the queue's dead-letter handler,
   * `@EventPattern(QUEUE.deadLetters)` (see docs/architecture.md, "Messaging").
   */
  readonly deadLetters: string;
}

const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * Declares a queue; a bad definition fails at import time, not at first use. The feature that
 * owns the queue exports it, and its consumer handles it with `@EventPattern(QUEUE.name)`.
 */
export function defineQueue<T extends object>(def: Omit<QueueDefinition<T>, 'deadLetters'>): QueueDefinition<T> {
  const { name, retry } = def;
  if (!QUEUE_NAME.test(name) || name.endsWith('.dead')) {
    throw new Error(
      `Queue name "${name}" must be 1-200 letters, digits, ".", "_" or "-" and must not end in ".dead" (reserved for dead letters)`,
    );
  }
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new Error(`Queue "${name}": retry.maxAttempts must be an integer >= 1`);
  }
  if (!(retry.backoffMs >= 0) || !(retry.maxBackoffMs >= retry.backoffMs)) {
    throw new Error(`Queue "${name}": retry needs 0 <= backoffMs <= maxBackoffMs`);
  }
  return Object.freeze({ ...def, retry: Object.freeze({ ...retry }), deadLetters: deadLetterQueueName(name) });
}

export type MessageOf<Q> = Q extends QueueDefinition<infer T> ? T : never;
