import type { MessagingOptions } from './messaging.module';
import type { QueueDefinition } from './queue-definition';

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface ResolvedMessagingOptions {
  url?: string;
  queues: readonly QueueDefinition[];
  consume: boolean;
  /** What this process consumes when `consume` is set. */
  consumeQueues: readonly QueueDefinition[];
  prefetch: number;
}

/** Checks the options once at start-up; every problem is named with the setting behind it. */
export function resolveMessagingOptions(options: MessagingOptions): ResolvedMessagingOptions {
  const { queues } = options;
  const byName = new Map<string, QueueDefinition>();
  for (const queue of queues) {
    if (byName.has(queue.name)) throw new Error(`Queue "${queue.name}" is registered twice`);
    byName.set(queue.name, queue);
  }
  if (!Number.isInteger(options.prefetch) || options.prefetch < 1) {
    throw new Error(`WORKER_PREFETCH must be a whole number >= 1 (got ${options.prefetch})`);
  }
  const requested = options.consumeQueues?.length ? options.consumeQueues : [...byName.keys()];
  const unknown = requested.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    throw new Error(
      `WORKER_QUEUES names unknown queue(s) ${unknown.map((n) => `"${n}"`).join(', ')}; valid queues: ${[...byName.keys()].join(', ') || '(none registered)'}`,
    );
  }
  return {
    url: options.url,
    queues,
    consume: options.consume,
    consumeQueues: [...new Set(requested)].map((name) => byName.get(name) as QueueDefinition),
    prefetch: options.prefetch,
  };
}
