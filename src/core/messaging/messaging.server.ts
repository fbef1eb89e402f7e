import {
  Inject,
  Injectable,
  type INestApplication,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { Server, type AsyncMicroserviceOptions, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { ListenerMetadataExplorer } from '@nestjs/microservices/listener-metadata-explorer';
import { isObservable, lastValueFrom } from 'rxjs';
import { DeadLetterContext, type MessageContext } from './message-context';
import { dispatchDelivery, type HandlerRoute } from './message-dispatch';
import { KeepMessageErrorsFilter } from './message-error.filter';
import { MessageTransport, type Delivery, type Settlement } from './message-transport';
import { MessagingMetrics } from './messaging.metrics';
import { MESSAGING_OPTIONS, type ResolvedMessagingOptions } from './messaging.options';
import type { QueueDefinition } from './queue-definition';

const DRAIN_TIMEOUT_MS = 30_000;

/**
 * How a process attaches the queue consumers, in both shapes:
 * `NestFactory.createMicroservice(WorkerModule, messagingMicroservice())` (worker) and
 * `app.connectMicroservice(messagingMicroservice())` + `app.startAllMicroservices()` (all-in-one).
 */
export function messagingMicroservice(): AsyncMicroserviceOptions {
  return { inject: [MessagingServer], useFactory: (server: MessagingServer) => ({ strategy: server.prepare() }) };
}

/**
 * All-in-one: attaches the consumers to the HTTP app and starts them once the app is initialised
 * (database, snapshots, sweepers), before it listens.
 */
export async function startConsumersIn(app: INestApplication): Promise<void> {
  app.connectMicroservice<AsyncMicroserviceOptions>(messagingMicroservice());
  await app.init();
  await app.startAllMicroservices();
}

/**
 * The Nest transport strategy over our brokers (RabbitMQ or in-process, see MessageTransport).
 * Consumers are `@Controller()` classes with `@EventPattern(QUEUE.name)` handlers taking
 * `@Payload()` (the validated message DTO) and `@Ctx()` (a MessageContext); returning acks,
 * throwing retries or dead-letters (dispatchDelivery decides). `@EventPattern(QUEUE.deadLetters)`
 * marks the optional dead-letter handler, called with a DeadLetterContext just before a message
 * moves to `<queue>.dead`.
 *
 * Unlike Nest's stock servers it never lets Nest settle a message: `Server.handleEvent` logs and
 * drops a handler's failure, so each handler is called and awaited here, and its error reaches the
 * retry decision intact (KeepMessageErrorsFilter). `addHandler` refuses a second handler for a queue
 * (Nest would chain both), and listening fails on a consumed queue without a handler.
 *
 * It is also a provider: on shutdown (whichever of `close()` and `beforeApplicationShutdown` comes
 * first) it stops deliveries, lets in-flight handlers finish or checkpoint, then closes the broker
 * connection, so whatever is still unacked goes back to the queue.
 */
@Injectable()
export class MessagingServer extends Server implements CustomTransportStrategy, OnModuleInit, BeforeApplicationShutdown {
  protected override readonly logger = new Logger('Messaging');
  private readonly shutdown = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  /** pattern → `Class.method` of each handler found by `prepare()`, for start-up errors. */
  private readonly owners = new Map<string, string[]>();
  private prepared = false;
  private consuming = false;
  private stopTrackingDepth?: () => void;
  private stopped = false;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: ResolvedMessagingOptions,
    private readonly transport: MessageTransport,
    private readonly metrics: MessagingMetrics,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {
    super();
  }

  onModuleInit(): void {
    this.stopTrackingDepth = this.metrics.trackQueueDepth(() => this.transport.queueDepths());
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /**
   * Runs before Nest registers the handlers (from `messagingMicroservice()`): checks that every
   * `@EventPattern` sits on a singleton controller and gives each consumer class the filter that
   * keeps its errors intact. Nest builds a handler's exception filters when it registers it, so
   * `onModuleInit` would be too late.
   */
  prepare(): this {
    if (this.prepared) return this;
    this.prepared = true;
    const explorer = new ListenerMetadataExplorer(this.scanner);
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || typeof instance !== 'object' || !Object.getPrototypeOf(instance)) continue;
      const found = explorer.explore(instance);
      if (found.length > 0) {
        throw new Error(
          `${instance.constructor.name}.${found[0].methodKey} has @EventPattern but ${instance.constructor.name} is a provider; Nest only registers handlers of controllers: list it in the module's controllers`,
        );
      }
    }
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance) continue;
      const handlers = explorer.explore(instance);
      if (handlers.length === 0) continue;
      const consumer = wrapper.metatype as Type;
      for (const { patterns, methodKey, isEventHandler } of handlers) {
        const owner = `${consumer.name}.${methodKey}`;
        this.requireSingleton(wrapper, owner);
        if (!isEventHandler) {
          throw new Error(`${owner} uses @MessagePattern: queues carry events, not requests; use @EventPattern`);
        }
        for (const pattern of patterns) {
          const name = this.normalizePattern(pattern);
          this.owners.set(name, [...(this.owners.get(name) ?? []), owner]);
        }
      }
      const filters = (Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, consumer) as unknown[] | undefined) ?? [];
      if (!filters.some((filter) => filter instanceof KeepMessageErrorsFilter)) {
        // First at class level = consulted after every filter the consumer declares itself.
        Reflect.defineMetadata(EXCEPTION_FILTERS_METADATA, [new KeepMessageErrorsFilter(), ...filters], consumer);
      }
    }
    return this;
  }

  /** Nest would chain a second handler for the same queue and run both; one queue, one handler. */
  override addHandler(pattern: unknown, callback: MessageHandler, isEventHandler = false, extras: Record<string, unknown> = {}): void {
    const name = this.normalizePattern(pattern as string);
    if (this.messageHandlers.has(name)) {
      const owners = this.owners.get(name);
      throw new Error(`Queue "${name}" has two @EventPattern handlers${owners ? `: ${owners.join(' and ')}` : ''}`);
    }
    super.addHandler(pattern, callback, isEventHandler, extras);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.startConsuming();
    } catch (error) {
      await this.stop(); // a failed start must not leave a broker connection keeping the process alive
      callback(error);
      return;
    }
    callback(); // only now: "ready" means the consumers are attached
  }

  async close(): Promise<void> {
    await this.stop();
  }

  on(): never {
    throw new Error('MessagingServer emits no events; its state is in /health/ready and /metrics');
  }

  unwrap<T>(): T {
    return this.transport as T;
  }

  private async startConsuming(): Promise<void> {
    if (!this.prepared) throw new Error('Attach the messaging microservice with messagingMicroservice(), which prepares the consumers');
    if (!this.options.consume) throw new Error('MessagingModule was configured not to consume (consume: false) but its microservice was started');
    const registered = new Map(this.options.queues.map((q) => [q.name, q]));
    const deadLetterPatterns = new Set(this.options.queues.map((q) => q.deadLetters));
    for (const pattern of this.messageHandlers.keys()) {
      if (registered.has(pattern) || deadLetterPatterns.has(pattern)) continue;
      throw new Error(
        `${this.ownerOf(pattern)} handles "${pattern}", which is neither a registered queue nor its dead-letter pattern (registered: ${[...registered.keys()].join(', ') || 'none'})`,
      );
    }
    const queues = this.options.consumeQueues;
    const unhandled = queues.filter((q) => !this.messageHandlers.has(q.name));
    if (unhandled.length > 0) {
      throw new Error(
        `No @EventPattern handler for consumed queue(s) ${unhandled.map((q) => `"${q.name}"`).join(', ')}; add one or leave the queue out of WORKER_QUEUES`,
      );
    }
    const routes = new Map(queues.map((queue) => [queue.name, this.route(queue)]));
    await this.transport.consume(queues, this.options.prefetch, (delivery, settlement) =>
      this.track(routes.get(delivery.queue) as HandlerRoute, delivery, settlement),
    );
    this.consuming = true;
    if (queues.length > 0) {
      this.logger.log(`Consuming ${queues.map((q) => q.name).join(', ')} (prefetch ${this.options.prefetch})`);
    }
  }

  private route(queue: QueueDefinition): HandlerRoute {
    const handle = this.messageHandlers.get(queue.name) as MessageHandler;
    const onDeadLetter = this.messageHandlers.get(queue.deadLetters);
    return {
      queue,
      owner: this.ownerOf(queue.name),
      handle: (message, context) => this.invoke(handle, message, context),
      onDeadLetter: onDeadLetter
        ? (message, error, context) => this.invoke(onDeadLetter, message, new DeadLetterContext(context, error))
        : undefined,
    };
  }

  /**
   * Calls a handler through Nest (pipes, guards, interceptors, filters, @Payload/@Ctx) and waits
   * for its outcome. Not `handleEvent`: it would swallow the failure.
   */
  private async invoke(handler: MessageHandler, message: unknown, context: MessageContext): Promise<void> {
    try {
      const result: unknown = await handler(message, context);
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    } catch (error) {
      // e.g. a consumer's own filter answering Nest's `{ status, message }`: keep what it says
      throw error instanceof Error ? error : new Error(`handler failed with ${safeJson(error)}`);
    }
  }

  private track(route: HandlerRoute, delivery: Delivery, settlement: Settlement): Promise<void> {
    const running = dispatchDelivery(route, delivery, settlement, { signal: this.shutdown.signal, metrics: this.metrics }).finally(
      () => this.inFlight.delete(running),
    );
    this.inFlight.add(running);
    return running;
  }

  /** Whether this process consumes as configured: always when it does not consume at all. */
  consumersAttached(): boolean {
    return !this.options.consume || this.consuming;
  }

  private async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.consuming = false;
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

  private requireSingleton(wrapper: InstanceWrapper, owner: string): void {
    if (!wrapper.isDependencyTreeStatic()) {
      throw new Error(`${owner} handles messages but its controller is request-scoped; message handlers must be singletons`);
    }
  }

  private ownerOf(pattern: string): string {
    return this.owners.get(pattern)?.join(' and ') ?? `The handler of "${pattern}"`;
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
