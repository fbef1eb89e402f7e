import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { dispatchDelivery, type HandlerRoute } from './message-dispatch';
import { DEAD_LETTER_HANDLER_METADATA, MESSAGE_HANDLER_METADATA } from './message-handler.decorator';
import { MessageTransport, type Delivery, type Settlement } from './message-transport';
import { MessagingMetrics } from './messaging.metrics';
import { MESSAGING_OPTIONS, type ResolvedMessagingOptions } from './messaging.options';
import type { QueueDefinition } from './queue-definition';

const DRAIN_TIMEOUT_MS = 30_000;

type Method = (...args: unknown[]) => Promise<void>;

/**
 * Finds the @MessageHandler methods, starts consuming once the whole app is up, and on shutdown
 * stops deliveries, lets in-flight handlers finish (or checkpoint), then closes the broker
 * connection. Whatever is still unacked then goes back to the queue.
 */
@Injectable()
export class MessagingRuntimeService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Messaging');
  private readonly shutdown = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private stopTrackingDepth?: () => void;
  private stopped = false;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: ResolvedMessagingOptions,
    private readonly transport: MessageTransport,
    private readonly metrics: MessagingMetrics,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    this.stopTrackingDepth = this.metrics.trackQueueDepth(() => this.transport.queueDepths());
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      const routes = this.discoverRoutes();
      if (!this.options.consume) return;
      const queues = this.options.consumeQueues;
      const unhandled = queues.filter((q) => !routes.has(q.name));
      if (unhandled.length > 0) {
        throw new Error(
          `No @MessageHandler for consumed queue(s) ${unhandled.map((q) => `"${q.name}"`).join(', ')}; add one or leave the queue out of WORKER_QUEUES`,
        );
      }
      await this.transport.consume(queues, this.options.prefetch, (delivery, settlement) =>
        this.track(routes.get(delivery.queue) as HandlerRoute, delivery, settlement),
      );
      if (queues.length > 0) {
        this.logger.log(`Consuming ${queues.map((q) => q.name).join(', ')} (prefetch ${this.options.prefetch})`);
      }
    } catch (err) {
      await this.stop(); // a failed start must not leave a broker connection keeping the process alive
      throw err;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopTrackingDepth?.();
    await this.transport.cancelConsumers();
    this.shutdown.abort();
    await this.drain();
    await this.transport.close();
  }

  private async drain(): Promise<void> {
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    // Loop: deliveries already on the wire when the consumer was cancelled can still start.
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.inFlight]),
        new Promise((resolve) => (timer = setTimeout(resolve, deadline - Date.now()))),
      ]);
      clearTimeout(timer);
    }
    if (this.inFlight.size > 0) {
      this.logger.warn(`${this.inFlight.size} handler(s) still running after ${DRAIN_TIMEOUT_MS} ms; their messages will be redelivered`);
    }
  }

  private track(route: HandlerRoute, delivery: Delivery, settlement: Settlement): Promise<void> {
    const running = dispatchDelivery(route, delivery, settlement, { signal: this.shutdown.signal, metrics: this.metrics }).finally(
      () => this.inFlight.delete(running),
    );
    this.inFlight.add(running);
    return running;
  }

  private discoverRoutes(): Map<string, HandlerRoute> {
    const registered = new Map(this.options.queues.map((q) => [q.name, q]));
    const handlers = new Map<string, HandlerRoute>();
    const deadLetterHandlers = new Map<string, { owner: string; method: Method }>();
    const seen = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || seen.has(instance)) continue;
      seen.add(instance); // aliases (useExisting) expose the same instance twice
      const prototype = Object.getPrototypeOf(instance) as object | null;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = instance[name] as Method;
        const owner = `${instance.constructor.name}.${name}`;
        const handles = Reflect.getMetadata(MESSAGE_HANDLER_METADATA, method) as QueueDefinition | undefined;
        const deadLetters = Reflect.getMetadata(DEAD_LETTER_HANDLER_METADATA, method) as QueueDefinition | undefined;
        for (const queue of [handles, deadLetters]) {
          if (!queue) continue;
          if (!registered.has(queue.name)) {
            throw new Error(`${owner} handles queue "${queue.name}", which is not registered (add it to QUEUES in queue-registry.ts)`);
          }
          if (!wrapper.isDependencyTreeStatic()) {
            throw new Error(`${owner} handles queue "${queue.name}" but its provider is request-scoped; message handlers must be singletons`);
          }
        }
        if (handles) {
          const existing = handlers.get(handles.name);
          if (existing) throw new Error(`Queue "${handles.name}" has two @MessageHandler methods: ${existing.owner} and ${owner}`);
          handlers.set(handles.name, { queue: registered.get(handles.name) as QueueDefinition, owner, handle: method.bind(instance) });
        }
        if (deadLetters) {
          const existing = deadLetterHandlers.get(deadLetters.name);
          if (existing) throw new Error(`Queue "${deadLetters.name}" has two @DeadLetterHandler methods: ${existing.owner} and ${owner}`);
          deadLetterHandlers.set(deadLetters.name, { owner, method: method.bind(instance) });
        }
      }
    }
    for (const [queue, { method }] of deadLetterHandlers) {
      const route = handlers.get(queue);
      if (route) route.onDeadLetter = method;
    }
    return handlers;
  }
}
