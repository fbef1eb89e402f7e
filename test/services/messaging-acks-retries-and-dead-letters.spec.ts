import { Logger } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { MessagePublisher } from '../../src/core/messaging/message-publisher';
import { PermanentMessageError } from '../../src/core/messaging/messaging.errors';
import type { QueueDefinition } from '../../src/core/messaging/queue-definition';
import {
  deleteQueues,
  drain,
  echoQueue,
  messageCount,
  publishRaw,
  quietLogs,
  Recorder,
  startApp,
  until,
} from './fixtures/messaging-test-kit';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('RabbitMQ messaging: ack, retry, dead-letter', () => {
  const created: QueueDefinition[] = [];
  let app: INestApplicationContext | undefined;

  beforeEach(() => {
    quietLogs();
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
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

  it('acks a handled message: handled once, with its request id, and nothing is left in the queue', async () => {
    const echo = queue();
    const recorder = new Recorder();
    app = await startApp(echo, recorder);

    await app.get(MessagePublisher).publish(echo, { text: 'hello' }, { requestId: 'req-1' });
    await until(() => recorder.finished.length === 1, 'the message is handled');
    expect(recorder.calls[0].context).toMatchObject({ queue: echo.name, requestId: 'req-1', attempt: 1, maxAttempts: 3 });
    expect(recorder.calls[0].context.messageId).toMatch(UUID);

    await app.close(); // closing the channel would return an unacked message to the queue
    app = undefined;
    expect(await messageCount(echo.name)).toBe(0);
    expect(await messageCount(`${echo.name}.dead`)).toBe(0);
    expect(recorder.calls).toHaveLength(1);
  });

  it('requeues a transient failure, retries it and dead-letters it after maxAttempts', async () => {
    const echo = queue({ maxAttempts: 3, backoffMs: 10, maxBackoffMs: 20 });
    const recorder = new Recorder();
    recorder.behaviour = async () => {
      throw new Error('database unavailable');
    };
    app = await startApp(echo, recorder);

    await app.get(MessagePublisher).publish(echo, { text: 'doomed' });
    await until(async () => (await messageCount(`${echo.name}.dead`)) === 1, 'the message reaches the dead-letter queue');
    await app.close();
    app = undefined;

    expect(recorder.calls.map((c) => c.context.attempt)).toEqual([1, 2, 3]);
    const [first] = recorder.calls;
    expect(recorder.calls.every((c) => c.context.messageId === first.context.messageId)).toBe(true);
    expect(recorder.deadLettered).toHaveLength(1);
    expect(recorder.deadLettered[0]).toMatchObject({ message: { text: 'doomed' }, error: { message: 'database unavailable' } });

    const dead = await drain(`${echo.name}.dead`);
    expect(dead).toHaveLength(1);
    expect(dead[0].properties.messageId).toBe(first.context.messageId);
    expect(JSON.parse(dead[0].content.toString())).toEqual({ text: 'doomed' });
    expect(dead[0].properties.headers?.['x-first-death-reason']).toBe('rejected'); // our nack, not the broker's delivery limit
    expect(await messageCount(echo.name)).toBe(0);
  });

  it('dead-letters a PermanentMessageError at once', async () => {
    const echo = queue({ maxAttempts: 5 });
    const recorder = new Recorder();
    recorder.behaviour = async () => {
      throw new PermanentMessageError('the file is not text');
    };
    app = await startApp(echo, recorder);

    await app.get(MessagePublisher).publish(echo, { text: 'binary' });
    await until(async () => (await messageCount(`${echo.name}.dead`)) === 1, 'the message reaches the dead-letter queue');
    await app.close();
    app = undefined;

    expect(recorder.calls).toHaveLength(1);
    expect(recorder.deadLettered).toHaveLength(1);
    expect(await messageCount(echo.name)).toBe(0);
  });

  it('dead-letters messages that are not JSON or break the DTO without calling the handler', async () => {
    const echo = queue({ maxAttempts: 5 });
    const recorder = new Recorder();
    app = await startApp(echo, recorder);

    await publishRaw(echo.name, '{"text": 42}', 'wrong-type');
    await publishRaw(echo.name, 'not json at all', 'not-json');
    await until(async () => (await messageCount(`${echo.name}.dead`)) === 2, 'both messages reach the dead-letter queue');
    await app.close();
    app = undefined;

    expect(recorder.calls).toHaveLength(0);
    expect(recorder.deadLettered.map((d) => [d.context.messageId, d.message])).toEqual([
      ['wrong-type', undefined],
      ['not-json', undefined],
    ]);
    expect((await drain(`${echo.name}.dead`)).map((m) => m.properties.messageId)).toEqual(['wrong-type', 'not-json']);
  });
});
