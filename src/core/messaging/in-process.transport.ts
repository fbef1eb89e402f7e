import { Logger } from '@nestjs/common';
import { deadLetterQueueName, MessageTransport, type DeliveryListener, type OutboundMessage } from './message-transport';
import type { QueueDefinition } from './queue-definition';

export interface DeadLetter {
  messageId: string;
  requestId?: string;
  /** The parsed body, or the raw text when it was not JSON. */
  message: unknown;
  deliveryCount: number;
}

interface Envelope {
  message: OutboundMessage;
  deliveryCount: number;
}

interface LocalQueue {
  name: string;
  maxAttempts: number;
  pending: Envelope[];
  dead: DeadLetter[];
  inFlight: number;
  consumer?: { prefetch: number; listener: DeliveryListener };
  scheduled: boolean;
}

/**
 * RabbitMQ's semantics in memory, for the embedded default and tests: a FIFO per queue, at most
 * `prefetch` deliveries in flight, a delivery count per message, requeue to the head (like a quorum
 * queue's returns) and a `<queue>.dead` list. Messages live as long as the process: work still
 * queued at exit is re-published by the sweeper.
 */
export class InProcessTransport extends MessageTransport {
  private readonly logger = new Logger('Messaging');
  private readonly queues = new Map<string, LocalQueue>();
  private warnedUnconsumed = false;
  private closed = false;

  constructor(
    definitions: readonly QueueDefinition[],
    private readonly consumedHere: ReadonlySet<string>,
  ) {
    super();
    for (const { name, retry } of definitions) {
      this.queues.set(name, { name, maxAttempts: retry.maxAttempts, pending: [], dead: [], inFlight: 0, scheduled: false });
    }
  }

  async publish(queue: QueueDefinition, message: OutboundMessage): Promise<void> {
    const local = this.local(queue.name);
    local.pending.push({ message, deliveryCount: 0 });
    if (!this.consumedHere.has(queue.name) && !this.warnedUnconsumed) {
      this.warnedUnconsumed = true;
      this.logger.warn(
        `Message queued in memory for "${queue.name}" but this process does not consume it; with the in-process transport nothing else will (set RABBITMQ_URL to use separate workers)`,
      );
    }
    this.schedule(local);
  }

  async consume(queues: readonly QueueDefinition[], prefetch: number, listener: DeliveryListener): Promise<void> {
    for (const queue of queues) {
      const local = this.local(queue.name);
      local.consumer = { prefetch, listener };
      this.schedule(local);
    }
  }

  async cancelConsumers(): Promise<void> {
    for (const local of this.queues.values()) local.consumer = undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.cancelConsumers();
    const left = [...this.queues.values()].reduce((sum, q) => sum + q.pending.length, 0);
    if (left > 0) this.logger.warn(`${left} message(s) still queued in memory are dropped at shutdown`);
  }

  async check(): Promise<void> {}

  async queueDepths(): Promise<Map<string, number>> {
    const depths = new Map<string, number>();
    for (const { name, pending, dead } of this.queues.values()) {
      depths.set(name, pending.length);
      depths.set(deadLetterQueueName(name), dead.length);
    }
    return depths;
  }

  /** What ended in `<queue>.dead`, oldest first. */
  deadLetters(queue: string | QueueDefinition): DeadLetter[] {
    return [...this.local(typeof queue === 'string' ? queue : queue.name).dead];
  }

  private local(name: string): LocalQueue {
    const local = this.queues.get(name);
    if (!local) throw new Error(`Queue "${name}" is not registered with MessagingModule`);
    return local;
  }

  // Deliveries always start from a fresh macrotask, never inside publish's or a settle's call stack.
  private schedule(local: LocalQueue): void {
    if (local.scheduled || this.closed) return;
    local.scheduled = true;
    setImmediate(() => {
      local.scheduled = false;
      this.pump(local);
    });
  }

  private pump(local: LocalQueue): void {
    while (local.consumer && !this.closed && local.inFlight < local.consumer.prefetch && local.pending.length > 0) {
      const envelope = local.pending.shift() as Envelope;
      const { listener } = local.consumer;
      local.inFlight += 1;
      let settled = false;
      const settle = (then: () => void) => () => {
        if (settled) return;
        settled = true;
        local.inFlight -= 1;
        then();
        this.schedule(local);
      };
      void listener(
        {
          queue: local.name,
          body: envelope.message.body,
          messageId: envelope.message.messageId,
          requestId: envelope.message.requestId,
          deliveryCount: envelope.deliveryCount,
        },
        {
          ack: settle(() => undefined),
          requeue: settle(() => {
            envelope.deliveryCount += 1;
            // the x-delivery-limit backstop: a quorum queue dead-letters once returns exceed it
            if (envelope.deliveryCount > local.maxAttempts) local.dead.push(toDeadLetter(envelope));
            else local.pending.unshift(envelope);
          }),
          deadLetter: settle(() => local.dead.push(toDeadLetter(envelope))),
        },
      );
    }
  }
}

function toDeadLetter({ message, deliveryCount }: Envelope): DeadLetter {
  let parsed: unknown = message.body;
  try {
    parsed = JSON.parse(message.body);
  } catch {
    // kept as text: it was dead-lettered for not being JSON
  }
  return { messageId: message.messageId, requestId: message.requestId, message: parsed, deliveryCount };
}
