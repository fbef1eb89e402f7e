import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import { AmqpConnectionManagerClass, type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import {
  DEAD_LETTER_EXCHANGE,
  deadLetterQueueName,
  MessageTransport,
  type Delivery,
  type DeliveryListener,
  type OutboundMessage,
} from './message-transport';
import type { QueueDefinition } from './queue-definition';
import { withTimeout } from '../scheduling/with-timeout';

const HEARTBEAT_SECONDS = 10;
const RECONNECT_SECONDS = 2;
const CONNECT_TIMEOUT_MS = 20_000;
const PUBLISH_CONFIRM_TIMEOUT_MS = 10_000;
const BROKER_CALL_TIMEOUT_MS = 5_000;
const PRECONDITION_FAILED = 406;

interface Consumer {
  queue: QueueDefinition;
  wrapper: ChannelWrapper;
  /** The channel the current consumer lives on; deliveries are settled on the channel they came from. */
  channel?: Channel;
  consumerTag?: string;
  stopped: boolean;
  setupError?: Error;
}

/** Arguments of `<queue>`; changing them for an existing queue needs a migration (see declareTopology). */
export function queueArguments(queue: QueueDefinition): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    // Counts returns, not deliveries: the broker dead-letters on its own after maxAttempts + 1
    // deliveries, which only happens when a worker dies mid-message (crash loop); normally the
    // dispatcher dead-letters at attempt maxAttempts.
    'x-delivery-limit': queue.retry.maxAttempts,
    'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
    'x-dead-letter-routing-key': queue.name,
    // at-least-once keeps a message in the source queue until <queue>.dead confirms it; RabbitMQ
    // silently falls back to at-most-once unless overflow is reject-publish.
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

/**
 * RabbitMQ through amqp-connection-manager: it reconnects and re-runs each channel's setup, which
 * declares the topology and (re)starts the consumers. Publishing and consuming use separate
 * connections because RabbitMQ blocks a publishing connection under memory or disk alarms, and a
 * worker must still be able to ack then.
 */
export class RabbitMqTransport extends MessageTransport {
  private readonly logger = new Logger('Messaging');
  private readonly where: string;
  private readonly publisherConnection: AmqpConnectionManager;
  private readonly publisher: ChannelWrapper;
  private consumerConnection?: AmqpConnectionManager;
  private readonly consumers: Consumer[] = [];
  private readonly declared = new WeakMap<ChannelModel, Promise<void>>();
  private recovery?: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly url: string,
    private readonly queues: readonly QueueDefinition[],
  ) {
    super();
    this.where = describeUrl(url);
    this.publisherConnection = this.openConnection('publisher');
    this.publisher = this.publisherConnection.createChannel({
      name: 'publisher',
      confirm: true,
      publishTimeout: PUBLISH_CONFIRM_TIMEOUT_MS,
      setup: async (channel: ConfirmChannel) => {
        this.watchChannel(channel, 'publisher', this.publisherConnection);
        await this.declareTopology(this.publisherConnection);
      },
    });
    this.publisher.on('error', (err: Error) => this.logger.error(`RabbitMQ publisher channel setup failed: ${err.message}`));
  }

  /** Connects and declares the topology, so that publishing before any worker started is safe. */
  async start(): Promise<void> {
    try {
      await this.publisherConnection.connect({ timeout: CONNECT_TIMEOUT_MS });
      await withTimeout(this.publisher.waitForConnect(), CONNECT_TIMEOUT_MS, 'declaring the RabbitMQ topology timed out');
      // ChannelWrapper reports a failed setup as an event and connects anyway; at start-up it must fail.
      await this.declareTopology(this.publisherConnection);
    } catch (err) {
      await this.close();
      throw new Error(`Cannot connect to RabbitMQ at ${this.where}: ${(err as Error).message}`, { cause: err });
    }
  }

  async publish(queue: QueueDefinition, message: OutboundMessage): Promise<void> {
    try {
      await this.publisher.sendToQueue(queue.name, Buffer.from(message.body), {
        persistent: true,
        contentType: 'application/json',
        contentEncoding: 'utf-8',
        messageId: message.messageId,
        timestamp: Math.floor(Date.now() / 1000),
        headers: message.requestId ? { 'x-request-id': message.requestId } : {},
        timeout: PUBLISH_CONFIRM_TIMEOUT_MS,
      });
    } catch (err) {
      throw new Error(`RabbitMQ did not confirm message ${message.messageId} for "${queue.name}": ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async consume(queues: readonly QueueDefinition[], prefetch: number, listener: DeliveryListener): Promise<void> {
    if (queues.length === 0) return;
    const connection = (this.consumerConnection ??= this.openConnection('consumer'));
    for (const queue of queues) {
      const consumer = { queue, stopped: false } as Consumer;
      consumer.wrapper = connection.createChannel({
        name: `consumer ${queue.name}`,
        confirm: false,
        // Not ChannelWrapper.consume()/ack(): they ack on whatever channel is current, so a delivery
        // from before a reconnect would be acked on the new channel, where its tag is unknown (the
        // broker closes the channel) or names a different message. We settle on the delivering channel.
        setup: (channel: Channel) => this.startConsumer(consumer, channel, connection, prefetch, listener),
      });
      consumer.wrapper.on('error', (err: Error) => {
        consumer.setupError = err;
        this.logger.error(`Cannot consume "${queue.name}": ${err.message}`);
        this.scheduleRecovery(connection);
      });
      this.consumers.push(consumer);
    }
    try {
      await connection.connect({ timeout: CONNECT_TIMEOUT_MS });
      await withTimeout(
        Promise.all(this.consumers.map((c) => c.wrapper.waitForConnect())),
        CONNECT_TIMEOUT_MS,
        'starting the RabbitMQ consumers timed out',
      );
    } catch (err) {
      throw new Error(`Cannot consume from RabbitMQ at ${this.where}: ${(err as Error).message}`, { cause: err });
    }
    const failed = this.consumers.filter((c) => !c.consumerTag);
    if (failed.length > 0) {
      throw new Error(
        `Cannot consume ${failed.map((c) => `"${c.queue.name}" (${c.setupError?.message ?? 'no consumer'})`).join(', ')}`,
      );
    }
  }

  async cancelConsumers(): Promise<void> {
    await Promise.all(
      this.consumers.map(async (consumer) => {
        consumer.stopped = true; // a setup re-run after a reconnect must not consume again
        const { channel, consumerTag } = consumer;
        if (!channel || !consumerTag) return;
        try {
          await withTimeout(channel.cancel(consumerTag), BROKER_CALL_TIMEOUT_MS, 'timed out');
        } catch (err) {
          this.logger.warn(`Could not cancel the consumer of "${consumer.queue.name}": ${(err as Error).message}`);
        }
      }),
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.recovery);
    // Closing a channel returns its unacked messages to the queue. amqp-connection-manager's close()
    // can hang when it is called between reconnect attempts, hence the bound.
    const managers = [this.consumerConnection, this.publisherConnection].filter((m): m is AmqpConnectionManager => !!m);
    for (const manager of managers) {
      await withTimeout(manager.close(), BROKER_CALL_TIMEOUT_MS, 'timed out').catch((err: Error) =>
        this.logger.warn(`Closing the RabbitMQ connection: ${err.message}`),
      );
    }
  }

  async check(): Promise<void> {
    const model = this.publisherConnection.connection;
    if (!model) throw new Error(`RabbitMQ at ${this.where} is not connected`);
    if (this.consumerConnection && !this.consumerConnection.isConnected()) {
      throw new Error(`The RabbitMQ consumer connection to ${this.where} is down`);
    }
    // Passive: checkQueue never creates a queue. A scratch channel, because a missing queue closes it.
    await withTimeout(
      this.withScratchChannel(model, async (channel) => {
        if (this.queues[0]) await channel.checkQueue(this.queues[0].name);
      }),
      BROKER_CALL_TIMEOUT_MS,
      'RabbitMQ health check timed out',
    );
  }

  queueDepths(): Promise<Map<string, number>> {
    const model = this.publisherConnection.connection;
    if (!model) return Promise.resolve(new Map());
    // a scrape must not hang on a stuck broker
    return withTimeout(this.readDepths(model), BROKER_CALL_TIMEOUT_MS, 'reading RabbitMQ queue depths timed out');
  }

  private async readDepths(model: ChannelModel): Promise<Map<string, number>> {
    const depths = new Map<string, number>();
    let channel = await openScratchChannel(model);
    try {
      for (const name of this.queues.flatMap((q) => [q.name, deadLetterQueueName(q.name)])) {
        try {
          depths.set(name, (await channel.checkQueue(name)).messageCount);
        } catch {
          channel = await openScratchChannel(model); // the failed check closed the channel
        }
      }
    } finally {
      await channel.close().catch(() => undefined);
    }
    return depths;
  }

  private openConnection(role: 'publisher' | 'consumer'): AmqpConnectionManager {
    const manager = new AmqpConnectionManagerClass([this.url], {
      heartbeatIntervalInSeconds: HEARTBEAT_SECONDS,
      reconnectTimeInSeconds: RECONNECT_SECONDS,
      connectionOptions: { clientProperties: { connection_name: `horizon ${role} ${hostname()}:${process.pid}` } },
    });
    manager.on('connect', () => this.logger.log(`Connected to RabbitMQ at ${this.where} (${role})`));
    manager.on('disconnect', ({ err }: { err?: Error }) => {
      if (!this.closing) this.logger.warn(`Lost the RabbitMQ ${role} connection (${err?.message ?? 'closed'}); reconnecting`);
    });
    manager.on('connectFailed', ({ err }: { err: Error }) => {
      if (!this.closing) this.logger.warn(`Cannot reach RabbitMQ at ${this.where} (${role}): ${err.message}; retrying`);
    });
    manager.on('blocked', ({ reason }: { reason: string }) => this.logger.warn(`RabbitMQ blocked the ${role} connection: ${reason}`));
    manager.on('unblocked', () => this.logger.log(`RabbitMQ unblocked the ${role} connection`));
    return manager;
  }

  private async startConsumer(
    consumer: Consumer,
    channel: Channel,
    connection: AmqpConnectionManager,
    prefetch: number,
    listener: DeliveryListener,
  ): Promise<void> {
    this.watchChannel(channel, `consumer ${consumer.queue.name}`, connection);
    await this.declareTopology(connection);
    if (consumer.stopped) return;
    // Per-consumer prefetch: quorum queues do not support global (per-channel) QoS.
    await channel.prefetch(prefetch, false);
    const { consumerTag } = await channel.consume(consumer.queue.name, (msg) => this.receive(consumer, channel, msg, listener), {
      noAck: false,
    });
    consumer.channel = channel;
    consumer.consumerTag = consumerTag;
    consumer.setupError = undefined;
  }

  private receive(consumer: Consumer, channel: Channel, msg: ConsumeMessage | null, listener: DeliveryListener): void {
    const queue = consumer.queue.name;
    if (msg === null) {
      // The broker cancelled the consumer (queue deleted, leader lost); a reconnect re-declares and re-consumes.
      this.logger.warn(`RabbitMQ cancelled the consumer of "${queue}"; reconnecting to consume again`);
      this.scheduleRecovery(this.consumerConnection);
      return;
    }
    const headers = msg.properties.headers ?? {};
    const delivery: Delivery = {
      queue,
      body: msg.content,
      messageId: msg.properties.messageId ?? `${queue}#${msg.fields.deliveryTag}`,
      requestId: typeof headers['x-request-id'] === 'string' ? headers['x-request-id'] : undefined,
      // Quorum queues count returns (nack with requeue, lost consumer) in this header.
      deliveryCount: Number(headers['x-delivery-count'] ?? 0) || 0,
    };
    const settle = (action: string, op: () => void) => () => {
      try {
        op();
      } catch (err) {
        // The channel is gone (connection lost or shutdown timed out): the broker redelivers the message.
        this.logger.warn(`Could not ${action} message ${delivery.messageId} on "${queue}": ${(err as Error).message}; it will be redelivered`);
      }
    };
    void listener(delivery, {
      ack: settle('ack', () => channel.ack(msg)),
      requeue: settle('requeue', () => channel.nack(msg, false, true)),
      deadLetter: settle('dead-letter', () => channel.nack(msg, false, false)),
    });
  }

  /**
   * Declares the dead-letter exchange, every queue and its `.dead` queue, once per connection. Each
   * declaration runs on a scratch channel: a queue that already exists with other arguments
   * (PRECONDITION_FAILED) closes only that channel, is logged and used as it is, instead of failing
   * the setup and crash-looping (Nest's RMQ transport calls this `noAssert`).
   */
  private declareTopology(connection: AmqpConnectionManager): Promise<void> {
    const model = connection.connection;
    if (!model) return Promise.reject(new Error('not connected'));
    let declared = this.declared.get(model);
    if (!declared) {
      declared = this.declareOn(model);
      this.declared.set(model, declared);
    }
    return declared;
  }

  private async declareOn(model: ChannelModel): Promise<void> {
    let channel = await openScratchChannel(model);
    const tolerateMismatch = async (name: string, declare: (ch: Channel) => Promise<unknown>) => {
      try {
        await declare(channel);
      } catch (err) {
        if ((err as { code?: number }).code !== PRECONDITION_FAILED) throw err;
        this.logger.error(
          `RabbitMQ queue "${name}" exists with different arguments; using it as it is. ` +
            `Drain and delete it (or move it with a policy) so it can be re-declared. ${(err as Error).message}`,
        );
        channel = await openScratchChannel(model);
      }
    };
    try {
      await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
      for (const queue of this.queues) {
        const dead = deadLetterQueueName(queue.name);
        await tolerateMismatch(dead, (ch) => ch.assertQueue(dead, { durable: true, arguments: { 'x-queue-type': 'quorum' } }));
        await channel.bindQueue(dead, DEAD_LETTER_EXCHANGE, queue.name);
        await tolerateMismatch(queue.name, (ch) =>
          ch.assertQueue(queue.name, { durable: true, arguments: queueArguments(queue) }),
        );
      }
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  private watchChannel(channel: Channel, name: string, connection: AmqpConnectionManager): void {
    // Without a listener amqplib throws the error from its frame handler. ChannelWrapper only makes
    // a new channel after a reconnect, so a channel the broker closed is recovered by reconnecting.
    channel.on('error', (err: Error) => {
      if (this.closing) return;
      this.logger.error(`RabbitMQ closed the ${name} channel: ${err.message}; reconnecting`);
      this.scheduleRecovery(connection);
    });
  }

  private scheduleRecovery(connection: AmqpConnectionManager | undefined): void {
    if (!connection || this.closing || this.recovery) return;
    this.recovery = setTimeout(() => {
      this.recovery = undefined;
      if (!this.closing) connection.reconnect();
    }, RECONNECT_SECONDS * 1000);
    this.recovery.unref();
  }

  private async withScratchChannel<R>(model: ChannelModel, use: (channel: Channel) => Promise<R>): Promise<R> {
    const channel = await openScratchChannel(model);
    try {
      return await use(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }
}

async function openScratchChannel(model: ChannelModel): Promise<Channel> {
  const channel = await model.createChannel();
  channel.on('error', () => undefined); // the failing call rejects with the same error
  return channel;
}


/** The broker's address for messages and logs: never the credentials. */
export function describeUrl(url: string): string {
  try {
    const { protocol, hostname: host, port, pathname } = new URL(url);
    return `${protocol}//${host}:${port || (protocol === 'amqps:' ? 5671 : 5672)}${pathname.length > 1 ? pathname : ''}`;
  } catch {
    return '(unparseable RABBITMQ_URL)';
  }
}
