import { BaseRpcContext } from '@nestjs/microservices';

export interface MessageContextFields {
  queue: string;
  requestId?: string;
  attempt: number;
  maxAttempts: number;
  messageId: string;
  signal: AbortSignal;
}

/**
 * What a message handler gets with `@Ctx()`: where the message is in its retry budget and the
 * shutdown signal. Built by the messaging layer for each delivery.
 */
export class MessageContext extends BaseRpcContext<[MessageContextFields]> {
  readonly queue: string;
  readonly requestId?: string;
  /** 1 on the first delivery; counts broker redeliveries too (crash, lost connection). */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly messageId: string;
  /** Aborted when shutdown starts: checkpoint and return (or throw) so the message can be requeued. */
  readonly signal: AbortSignal;

  constructor(fields: MessageContextFields) {
    super([fields]);
    this.queue = fields.queue;
    this.requestId = fields.requestId;
    this.attempt = fields.attempt;
    this.maxAttempts = fields.maxAttempts;
    this.messageId = fields.messageId;
    this.signal = fields.signal;
  }
}

/** What a dead-letter handler (`@EventPattern(QUEUE.deadLetters)`) gets with `@Ctx()`: also the error that gave up. */
export class DeadLetterContext extends MessageContext {
  constructor(
    context: MessageContextFields,
    /** The last failure: a permanent error, the `MessageValidationError`, or the error of the last attempt. */
    readonly error: Error,
  ) {
    super(context);
  }
}
