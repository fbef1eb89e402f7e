import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Broadcaster, InProcessBroadcaster } from './broadcast';
import { InProcessTransport } from './in-process.transport';
import { ClientMessagePublisher, MessagePublisher } from './message-publisher';
import { MessageTransport } from './message-transport';
import { MessagingHealth, TransportMessagingHealth } from './messaging-health';
import { MessagingClient } from './messaging.client';
import { MessagingMetrics } from './messaging.metrics';
import { MESSAGING_OPTIONS, resolveMessagingOptions, type ResolvedMessagingOptions } from './messaging.options';
import type { QueueDefinition } from './queue-definition';
import { RabbitMqBroadcaster } from './rabbitmq.broadcaster';
import { RabbitMqTransport } from './rabbitmq.transport';
import { MessagingServer } from './messaging.server';

export interface MessagingOptions {
  /** RabbitMQ URL (RABBITMQ_URL); undefined → the in-process transport. */
  url?: string;
  /** Queues to declare and accept: the features' queues, listed in src/feature-modules.ts. */
  queues: readonly QueueDefinition[];
  /** Worker mode: the process attaches the consumers (messagingMicroservice()) for the queues below. */
  consume: boolean;
  /** WORKER_QUEUES: undefined or empty → all queues; an unknown name fails start-up. */
  consumeQueues?: string[];
  /** WORKER_PREFETCH: unacked deliveries in flight per consumed queue. */
  prefetch: number;
}

@Module({})
export class MessagingModule {
  /**
   * Global: every feature module can inject `MessagePublisher` (or Nest's side of it, the
   * `MessagingClient`); health checks inject `MessagingHealth`; core/realtime injects `Broadcaster`
   * for status events. `MessagingServer` is the transport strategy the process boots its consumers
   * on (see messagingMicroservice()).
   */
  static forRoot(options: MessagingOptions): DynamicModule {
    const transport: Provider = {
      provide: MessageTransport,
      inject: [MESSAGING_OPTIONS],
      useFactory: async ({ url, queues, consume, consumeQueues }: ResolvedMessagingOptions): Promise<MessageTransport> => {
        if (!url) return new InProcessTransport(queues, new Set(consume ? consumeQueues.map((q) => q.name) : []));
        const rabbit = new RabbitMqTransport(url, queues);
        await rabbit.start();
        return rabbit;
      },
    };
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useFactory: () => resolveMessagingOptions(options) },
        transport,
        // lets tests read `deadLetters()` of the in-process transport
        ...(options.url ? [] : [{ provide: InProcessTransport, useExisting: MessageTransport }]),
        MessagingMetrics,
        MessagingClient,
        { provide: MessagePublisher, useClass: ClientMessagePublisher },
        { provide: MessagingHealth, useClass: TransportMessagingHealth },
        MessagingServer,
        {
          provide: Broadcaster,
          inject: [MESSAGING_OPTIONS],
          useFactory: ({ url }: ResolvedMessagingOptions): Promise<Broadcaster> | Broadcaster =>
            url ? RabbitMqBroadcaster.connect(url) : new InProcessBroadcaster(),
        },
      ],
      exports: [MessagePublisher, MessagingClient, MessagingServer, MessagingHealth, Broadcaster],
    };
  }
}
