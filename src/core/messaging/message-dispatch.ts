import { Logger } from '@nestjs/common';
import { abortableDelay } from '../scheduling/abortable-delay';
import { MessageContext } from './message-context';
import type { Delivery, Settlement } from './message-transport';
import { parseBody, toValidMessage } from './message-validation';
import { classifyFailure, MessageValidationError } from './messaging.errors';
import type { MessagingMetrics } from './messaging.metrics';
import type { QueueDefinition, RetryPolicy } from './queue-definition';

/** A queue with the handlers the transport strategy found for it. */
export interface HandlerRoute {
  queue: QueueDefinition;
  /** `Class.method`, for logs and start-up errors. */
  owner: string;
  handle(message: object, context: MessageContext): Promise<void>;
  onDeadLetter?(message: object | undefined, error: Error, context: MessageContext): Promise<void>;
}

export type FailureDecision =
  | { action: 'retry'; delayMs: number }
  | { action: 'dead-letter'; reason: 'permanent' | 'attempts exhausted' };

export function backoffDelay(attempt: number, retry: RetryPolicy): number {
  return Math.min(retry.backoffMs * 2 ** (attempt - 1), retry.maxBackoffMs);
}

/**
 * What to do after a failed attempt. A failure while shutting down is requeued at once even on the
 * last attempt: it was most likely caused by the abort, and a deploy must not dead-letter work. The
 * queue's x-delivery-limit (= maxAttempts) still lets the broker dead-letter a message that keeps
 * coming back, so this cannot loop.
 */
export function decideOnFailure(error: unknown, attempt: number, retry: RetryPolicy, shuttingDown: boolean): FailureDecision {
  if (classifyFailure(error) === 'dead-letter') return { action: 'dead-letter', reason: 'permanent' };
  if (shuttingDown) return { action: 'retry', delayMs: 0 };
  if (attempt >= retry.maxAttempts) return { action: 'dead-letter', reason: 'attempts exhausted' };
  return { action: 'retry', delayMs: backoffDelay(attempt, retry) };
}

export interface DispatchDeps {
  /** Aborted when shutdown starts; also cuts a retry backoff short. */
  signal: AbortSignal;
  metrics: MessagingMetrics;
}

const logger = new Logger('Messaging');

/**
 * The one place that turns a delivery into ack / requeue / dead-letter, for every transport. It
 * never throws and settles each delivery exactly once: whatever escapes, the `finally` settles, and
 * an unexpected failure requeues rather than drops the message.
 */
export async function dispatchDelivery(
  route: HandlerRoute,
  delivery: Delivery,
  settlement: Settlement,
  { signal, metrics }: DispatchDeps,
): Promise<void> {
  const { queue } = route;
  const context = new MessageContext({
    queue: queue.name,
    requestId: delivery.requestId,
    attempt: delivery.deliveryCount + 1,
    maxAttempts: queue.retry.maxAttempts,
    messageId: delivery.messageId,
    signal,
  });
  const about = describe(context);
  let outcome: keyof Settlement = 'requeue';
  try {
    let message: object | undefined;
    try {
      message = await toValidMessage(queue, parseBody(queue, delivery.body), 'consume');
      await route.handle(message, context);
      outcome = 'ack';
      metrics.processed(queue.name);
      return;
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      if (message !== undefined) metrics.failed(queue.name);
      const decision = decideOnFailure(error, context.attempt, queue.retry, signal.aborted);
      if (decision.action === 'retry') {
        logger.warn(`${about} failed: ${error.message}; requeueing${decision.delayMs ? ` in ${decision.delayMs} ms` : ''}`);
        await abortableDelay(decision.delayMs, signal);
        outcome = 'requeue';
        metrics.retried(queue.name);
      } else {
        // the field errors are the whole story for an invalid message; a stack would only add noise
        const stack = error instanceof MessageValidationError ? undefined : error.stack;
        logger.error(`${about} failed (${decision.reason}): ${error.message}; dead-lettering`, stack);
        await notifyDeadLetter(route, message, error, context, about);
        outcome = 'deadLetter';
        metrics.deadLettered(queue.name);
      }
    }
  } catch (unexpected) {
    logger.error(`${about}: unexpected dispatch failure; requeueing`, (unexpected as Error)?.stack);
  } finally {
    settlement[outcome]();
  }
}

async function notifyDeadLetter(
  route: HandlerRoute,
  message: object | undefined,
  error: Error,
  context: MessageContext,
  about: string,
): Promise<void> {
  if (!route.onDeadLetter) return;
  try {
    await route.onDeadLetter(message, error, context);
  } catch (hookError) {
    logger.error(`${about}: dead-letter handler failed: ${(hookError as Error)?.message}`, (hookError as Error)?.stack);
  }
}

function describe({ queue, messageId, attempt, maxAttempts, requestId }: MessageContext): string {
  return `[${queue}] message ${messageId} attempt ${attempt}/${maxAttempts}${requestId ? ` request ${requestId}` : ''}`;
}
