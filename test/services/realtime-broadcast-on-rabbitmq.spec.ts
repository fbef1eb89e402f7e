import { execFileSync } from 'node:child_process';
import { Logger } from '@nestjs/common';
import amqp from 'amqplib';
import type { BroadcastSubscription } from '../../src/core/messaging/broadcast';
import { RabbitMqBroadcaster } from '../../src/core/messaging/rabbitmq.broadcaster';
import { until } from '../utils/realtime-clients';
import { createTestVhost } from '../utils/services-env';
import { poll } from '../utils/poll';

/** The broker side of the status fan-out: what `Broadcaster` declares and how messages travel. */
describe('broadcasts on RabbitMQ', () => {
  let vhost: ReturnType<typeof createTestVhost>;
  let vhostName: string;
  const opened: RabbitMqBroadcaster[] = [];

  const connect = async () => {
    const broadcaster = await RabbitMqBroadcaster.connect(vhost.url);
    opened.push(broadcaster);
    return broadcaster;
  };
  const rabbitmqctl = (...args: string[]) =>
    execFileSync('rabbitmqctl', ['-q', ...args, '-p', vhostName, '--no-table-headers'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t'));

  beforeAll(() => {
    vhost = createTestVhost();
    vhostName = decodeURIComponent(new URL(vhost.url).pathname.slice(1));
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    for (const broadcaster of opened) await broadcaster.close();
    vhost?.remove();
    jest.restoreAllMocks();
  });

  it('gives every subscriber each message, through exclusive auto-delete queues that go away with their subscription', async () => {
    const [a, b] = [await connect(), await connect()];
    const received = { a: [] as string[], b: [] as string[] };
    const subscriptions: BroadcastSubscription[] = [
      await a.subscribe('test.fanout', (body) => received.a.push(body)),
      await b.subscribe('test.fanout', (body) => received.b.push(body)),
    ];

    await a.publish('test.fanout', 'from a');
    await b.publish('test.fanout', 'from b');

    await until(() => received.a.length === 2 && received.b.length === 2, 'both messages on both subscribers');
    expect(received).toEqual({ a: ['from a', 'from b'], b: ['from a', 'from b'] });
    expect(rabbitmqctl('list_exchanges', 'name', 'type', 'durable').filter(([name]) => name === 'test.fanout')).toEqual([
      ['test.fanout', 'fanout', 'true'],
    ]);
    const queues = rabbitmqctl('list_queues', 'name', 'durable', 'auto_delete', 'exclusive');
    expect(queues).toEqual([
      [expect.stringMatching(/^amq\.gen-/), 'false', 'true', 'true'],
      [expect.stringMatching(/^amq\.gen-/), 'false', 'true', 'true'],
    ]);

    await subscriptions[0].close();
    await until(() => rabbitmqctl('list_queues', 'name').length === 1, 'the closed subscription queue to go');
    await b.close();
    await until(() => rabbitmqctl('list_queues', 'name').length === 0, 'the closed connection queue to go');
  });

  it('publishes non-persistent messages (ephemeral events never touch the disk)', async () => {
    const broadcaster = await connect();
    await broadcaster.subscribe('test.persistence', () => undefined); // declares the exchange
    const connection = await amqp.connect(vhost.url);
    try {
      const channel = await connection.createChannel();
      const { queue } = await channel.assertQueue('', { exclusive: true });
      await channel.bindQueue(queue, 'test.persistence', '');

      await broadcaster.publish('test.persistence', '{"hello":1}');

      const message = (await poll(() => channel.get(queue, { noAck: true }), Boolean, 'the message arrives', {
        timeoutMs: 10_000,
        intervalMs: 20,
      })) as amqp.GetMessage;
      expect(message.properties.deliveryMode).not.toBe(2);
      expect(message.content.toString()).toBe('{"hello":1}');
    } finally {
      await connection.close();
    }
  });
});
