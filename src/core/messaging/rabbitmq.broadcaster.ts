import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import { AmqpConnectionManagerClass, type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import { describeUrl } from './rabbitmq.transport';
import { Broadcaster, type BroadcastListener, type BroadcastSubscribeOptions, type BroadcastSubscription } from './broadcast';
import { withTimeout } from '../scheduling/with-timeout';

const HEARTBEAT_SECONDS = 10;
const RECONNECT_SECONDS = 2;
const CONNECT_TIMEOUT_MS = 20_000;
const PUBLISH_TIMEOUT_MS = 5_000;
const CLOSE_TIMEOUT_MS = 5_000;
// A subscriber that stops reading (stuck event loop) must not grow the broker's memory: past these
// bounds its oldest messages are dropped, which a broadcast's subscribers already have to tolerate.
const SUBSCRIPTION_QUEUE_ARGUMENTS = { 'x-message-ttl': 60_000, 'x-max-length': 100_000 };

/**
 * Broadcast channels as durable fanout exchanges. Messages are non-persistent and unconfirmed;
 * each subscription binds a server-named, exclusive, auto-delete queue, which RabbitMQ deletes
 * with the connection, so a process that dies leaves nothing behind and a reconnect binds a new one.
 * Its own connection: the subscriptions' exclusive queues live and die with it, apart from the
 * work transport's connections.
 */
export class RabbitMqBroadcaster extends Broadcaster {
  private readonly logger = new Logger('Broadcast');
  private readonly connection: AmqpConnectionManager;
  private readonly publisher: ChannelWrapper;
  private readonly exchanges = new Map<string, Promise<void>>();
  private recovery?: NodeJS.Timeout;
  private closing = false;

  private constructor(url: string) {
    super();
    this.connection = new AmqpConnectionManagerClass([url], {
      heartbeatIntervalInSeconds: HEARTBEAT_SECONDS,
      reconnectTimeInSeconds: RECONNECT_SECONDS,
      connectionOptions: { clientProperties: { connection_name: `horizon broadcast ${hostname()}:${process.pid}` } },
    });
    this.connection.on('disconnect', ({ err }: { err?: Error }) => {
      if (!this.closing) this.logger.warn(`Lost the RabbitMQ broadcast connection (${err?.message ?? 'closed'}); reconnecting`);
    });
    this.publisher = this.connection.createChannel({
      name: 'broadcast publisher',
      confirm: false,
      publishTimeout: PUBLISH_TIMEOUT_MS,
      setup: (channel: Channel) => this.watch(channel, 'broadcast publisher'),
    });
    this.publisher.on('error', (err: Error) => this.logger.error(`RabbitMQ broadcast publisher setup failed: ${err.message}`));
  }

  static async connect(url: string): Promise<RabbitMqBroadcaster> {
    const broadcaster = new RabbitMqBroadcaster(url);
    try {
      await broadcaster.connection.connect({ timeout: CONNECT_TIMEOUT_MS });
    } catch (err) {
      await broadcaster.close();
      // Same wording as the transport's: whichever connection fails first names the broker.
      throw new Error(`Cannot connect to RabbitMQ at ${describeUrl(url)} (broadcasts): ${(err as Error).message}`, { cause: err });
    }
    return broadcaster;
  }

  async publish(exchange: string, body: string): Promise<void> {
    await this.declare(exchange);
    // amqp-connection-manager would hold the message until a reconnect; a broadcast that late is
    // worth less than the memory, and subscribers refresh after a reconnect anyway.
    if (!this.connection.isConnected()) throw new Error('not connected to RabbitMQ; the broadcast is dropped');
    await this.publisher.publish(exchange, '', Buffer.from(body), { persistent: false, contentType: 'application/json' });
  }

  async subscribe(exchange: string, listener: BroadcastListener, options: BroadcastSubscribeOptions = {}): Promise<BroadcastSubscription> {
    let binds = 0;
    let closed = false;
    let setupError: Error | undefined;
    const name = `broadcast subscriber ${exchange}`;
    const wrapper = this.connection.createChannel({
      name,
      confirm: false,
      setup: async (channel: Channel) => {
        this.watch(channel, name);
        if (closed) return;
        await channel.assertExchange(exchange, 'fanout', { durable: true });
        const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false, arguments: SUBSCRIPTION_QUEUE_ARGUMENTS });
        await channel.bindQueue(queue, exchange, '');
        await channel.consume(queue, (msg) => this.receive(exchange, msg, listener), { noAck: true });
        setupError = undefined;
        if (++binds > 1) {
          this.logger.log(`Bound "${exchange}" again after a reconnect`);
          options.onRebound?.();
        }
      },
    });
    wrapper.on('error', (err: Error) => {
      setupError = err;
      this.logger.error(`Cannot subscribe to "${exchange}": ${err.message}; reconnecting`);
      this.scheduleRecovery();
    });
    const close = async () => {
      closed = true;
      await wrapper.close().catch(() => undefined);
    };
    try {
      await withTimeout(wrapper.waitForConnect(), CONNECT_TIMEOUT_MS, 'timed out');
      // ChannelWrapper reports a failed setup as an event and connects anyway.
      if (binds === 0) throw setupError ?? new Error('the subscription was not bound');
    } catch (err) {
      await close();
      throw new Error(`Cannot subscribe to "${exchange}" on RabbitMQ: ${(err as Error).message}`, { cause: err });
    }
    return { close };
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.recovery);
    await withTimeout(this.connection.close(), CLOSE_TIMEOUT_MS, 'timed out').catch((err: Error) =>
      this.logger.warn(`Closing the RabbitMQ broadcast connection: ${err.message}`),
    );
  }

  /** Nest calls this after the HTTP server and the message consumers have stopped. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private declare(exchange: string): Promise<void> {
    let declared = this.exchanges.get(exchange);
    if (!declared) {
      // Runs now when connected, and again on every reconnect (the exchange may have been deleted).
      declared = this.publisher
        .addSetup((channel: Channel) => channel.assertExchange(exchange, 'fanout', { durable: true }))
        // The failure closed the channel (see watch); the reconnect runs this setup again.
        .catch((err: Error) => this.logger.error(`Cannot declare the "${exchange}" exchange: ${err.message}`));
      this.exchanges.set(exchange, declared);
    }
    return declared;
  }

  private receive(exchange: string, msg: ConsumeMessage | null, listener: BroadcastListener): void {
    if (msg === null) {
      // The broker cancelled the consumer (someone deleted the queue): a reconnect binds a new one.
      this.logger.warn(`RabbitMQ cancelled the subscription to "${exchange}"; reconnecting`);
      this.scheduleRecovery();
      return;
    }
    try {
      listener(msg.content.toString('utf8'));
    } catch (err) {
      this.logger.error(`A subscriber of "${exchange}" failed: ${(err as Error).message}`);
    }
  }

  private watch(channel: Channel, name: string): void {
    // ChannelWrapper only opens a new channel on a new connection: one the broker closed on its
    // own is recovered by reconnecting.
    channel.on('error', (err: Error) => {
      if (this.closing) return;
      this.logger.error(`RabbitMQ closed the ${name} channel: ${err.message}; reconnecting`);
      this.scheduleRecovery();
    });
  }

  private scheduleRecovery(): void {
    if (this.closing || this.recovery) return;
    this.recovery = setTimeout(() => {
      this.recovery = undefined;
      if (!this.closing) this.connection.reconnect();
    }, RECONNECT_SECONDS * 1000);
    this.recovery.unref();
  }
}

