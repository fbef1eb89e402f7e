import type { INestApplicationContext } from '@nestjs/common';
import { MessagePublisher } from '../../src/core/messaging/message-publisher';
import {
  deleteQueues,
  echoQueue,
  gate,
  messageCount,
  quietLogs,
  Recorder,
  startApp,
  until,
} from './fixtures/messaging-test-kit';

describe('RabbitMQ messaging: graceful shutdown', () => {
  const created: ReturnType<typeof echoQueue>[] = [];
  let app: INestApplicationContext | undefined;

  beforeEach(quietLogs);

  afterEach(async () => {
    await app?.close();
    app = undefined;
    jest.restoreAllMocks();
  });

  afterAll(() => deleteQueues(...created));

  it('stops consuming, waits for in-flight handlers, and the next worker gets every other message', async () => {
    const echo = echoQueue();
    created.push(echo);
    const texts = Array.from({ length: 8 }, (_, i) => `m${i}`);
    const first = new Recorder();
    const release = gate();
    first.behaviour = () => release.opened; // slow work that finishes only when the test says so
    app = await startApp(echo, first, 2);
    for (const text of texts) await app.get(MessagePublisher).publish(echo, { text });
    await until(() => first.active === 2, 'two handlers are busy');

    let closed = false;
    const closing = app.close().then(() => (closed = true));
    app = undefined;
    // The consumer is cancelled before the signal is aborted. (A quorum queue keeps counting a
    // cancelled consumer until its unacked messages settle, so consumerCount cannot show it.)
    await until(() => first.calls.every((c) => c.context.signal.aborted), 'the handlers see the shutdown signal');
    expect(closed).toBe(false); // still waiting for the two handlers

    release.open();
    await closing;
    const inFlight = first.calls.map((c) => c.text);
    expect(inFlight).toHaveLength(2); // nothing new was delivered once shutdown began, not even after the acks
    expect(first.finished.map((f) => f.text)).toEqual(expect.arrayContaining(inFlight)); // finished before close resolved
    expect(await messageCount(echo.name)).toBe(texts.length - 2);

    const second = new Recorder();
    app = await startApp(echo, second, 2);
    await until(() => second.finished.length === texts.length - 2, 'the next worker handles the rest');
    await app.close();
    app = undefined;

    const handled = [...first.finished, ...second.finished];
    expect(new Set(handled.map((h) => h.text))).toEqual(new Set(texts));
    expect(new Set(handled.map((h) => h.messageId)).size).toBe(texts.length);
    expect(await messageCount(echo.name)).toBe(0);
    expect(await messageCount(`${echo.name}.dead`)).toBe(0);
  });

  it('requeues the message of a handler that gives up on the shutdown signal, even on its last attempt', async () => {
    const echo = echoQueue({ maxAttempts: 1 });
    created.push(echo);
    const first = new Recorder();
    first.behaviour = (_message, context) =>
      new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => reject(new Error('aborted: checkpointed'))));
    app = await startApp(echo, first, 1);
    await app.get(MessagePublisher).publish(echo, { text: 'long job' });
    await until(() => first.active === 1, 'the handler is busy');
    await app.close();
    app = undefined;

    expect(await messageCount(`${echo.name}.dead`)).toBe(0);
    const second = new Recorder();
    app = await startApp(echo, second, 1);
    await until(() => second.finished.length === 1, 'the next worker resumes the message');
    expect(second.calls[0].context).toMatchObject({ messageId: first.calls[0].context.messageId, attempt: 2 });
  });
});
