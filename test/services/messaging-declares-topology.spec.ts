import { Logger } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { register } from 'prom-client';
import { MessagePublisher } from '../../src/core/messaging/message-publisher';
import { MessagingHealth } from '../../src/core/messaging/messaging-health';
import { MessagingModule } from '../../src/core/messaging/messaging.module';
import { queueArguments } from '../../src/core/messaging/rabbitmq.transport';
import {
  deleteQueues,
  echoQueue,
  queueTypes,
  quietLogs,
  RABBITMQ_URL,
  Recorder,
  startApp,
  until,
  withChannel,
} from './fixtures/messaging-test-kit';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('RabbitMQ messaging: topology, publishing and health', () => {
  const created: ReturnType<typeof echoQueue>[] = [];
  let app: INestApplicationContext | undefined;
  let logError: jest.SpyInstance;

  beforeEach(() => {
    quietLogs();
    logError = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    jest.restoreAllMocks();
  });

  afterAll(() => deleteQueues(...created));

  function queue(...args: Parameters<typeof echoQueue>) {
    const definition = echoQueue(...args);
    created.push(definition);
    return definition;
  }

  it('declares a durable quorum queue with delivery limit and dead-lettering, and a quorum .dead queue', async () => {
    const echo = queue({ maxAttempts: 4 });
    app = await startApp(echo); // API-only: the publisher side declares the topology too

    const types = await queueTypes();
    expect(types.get(echo.name)).toBe('quorum, durable');
    expect(types.get(`${echo.name}.dead`)).toBe('quorum, durable');
    // RabbitMQ accepts a re-declaration only with equivalent arguments (406 otherwise).
    await withChannel((channel) => channel.assertQueue(echo.name, { durable: true, arguments: queueArguments(echo) }));
    expect(queueArguments(echo)).toEqual({
      'x-queue-type': 'quorum',
      'x-delivery-limit': 4,
      'x-dead-letter-exchange': 'horizon.dlx',
      'x-dead-letter-routing-key': echo.name,
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    });
    await expect(
      withChannel((channel) =>
        channel.assertQueue(echo.name, { durable: true, arguments: { ...queueArguments(echo), 'x-delivery-limit': 99 } }),
      ),
    ).rejects.toMatchObject({ code: 406 });
  });

  it('publishes persistent JSON with a message id and the request id before any worker exists', async () => {
    const echo = queue();
    app = await startApp(echo);
    await app.get(MessagePublisher).publish(echo, { text: 'waits for a worker' }, { requestId: 'req-7' });
    await app.close();
    app = undefined;

    const message = await withChannel((channel) => channel.get(echo.name, { noAck: true }));
    expect(message).not.toBe(false);
    if (!message) return;
    expect(JSON.parse(message.content.toString())).toEqual({ text: 'waits for a worker' });
    expect(message.properties).toMatchObject({
      deliveryMode: 2,
      contentType: 'application/json',
      messageId: expect.stringMatching(UUID),
      headers: expect.objectContaining({ 'x-request-id': 'req-7' }),
    });
  });

  it('reports the queue depth on scrape', async () => {
    const echo = queue();
    app = await startApp(echo);
    await app.get(MessagePublisher).publish(echo, { text: 'a' });
    await app.get(MessagePublisher).publish(echo, { text: 'b' });

    const values = (await register.getSingleMetric('horizon_queue_depth')?.get())?.values ?? [];
    expect(values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { queue: echo.name }, value: 2 }),
        expect.objectContaining({ labels: { queue: `${echo.name}.dead` }, value: 0 }),
      ]),
    );
  });

  it('keeps working with an existing queue declared with other arguments, and says so', async () => {
    const echo = queue();
    await withChannel((channel) => channel.assertQueue(echo.name, { durable: true })); // an old classic queue
    const recorder = new Recorder();
    app = await startApp(echo, recorder);

    expect(logError).toHaveBeenCalledWith(expect.stringContaining(`RabbitMQ queue "${echo.name}" exists with different arguments`));
    await app.get(MessagePublisher).publish(echo, { text: 'still flows' });
    await until(() => recorder.finished.length === 1, 'the message is consumed from the old queue');
    await expect(app.get(MessagingHealth).check()).resolves.toBeUndefined();
    expect((await queueTypes()).get(echo.name)).toBe('classic, durable');
  });

  it('checks health passively: a deleted queue fails the check and is not re-created', async () => {
    const echo = queue();
    app = await startApp(echo);
    const health = app.get(MessagingHealth);
    await expect(health.check()).resolves.toBeUndefined();

    await withChannel((channel) => channel.deleteQueue(echo.name));
    await expect(health.check()).rejects.toThrow(/NOT_FOUND/);
    expect((await queueTypes()).has(echo.name)).toBe(false);
  });

  it('fails start-up with a clear error, without the password, when the broker refuses the credentials', async () => {
    const badUrl = RABBITMQ_URL.replace(/\/\/([^:]+):[^@]+@/, '//$1:wrong-secret@');
    const failing = Test.createTestingModule({
      imports: [MessagingModule.forRoot({ url: badUrl, queues: [echoQueue()], consume: false, prefetch: 1 })],
    }).compile();

    const error = await failing.then(
      () => undefined,
      (err: Error) => err,
    );
    const { hostname, port } = new URL(RABBITMQ_URL);
    expect(error?.message).toContain(`Cannot connect to RabbitMQ at amqp://${hostname}:${port || 5672}`);
    expect(error?.message).toMatch(/ACCESS.REFUSED/);
    expect(error?.message).not.toContain('wrong-secret');
  });
});
