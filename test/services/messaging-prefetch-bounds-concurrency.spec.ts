import type { INestApplicationContext } from '@nestjs/common';
import { MessagePublisher } from '../../src/core/messaging/message-publisher';
import { deleteQueues, echoQueue, gate, messageCount, quietLogs, Recorder, startApp, until } from './fixtures/messaging-test-kit';

describe('RabbitMQ messaging: prefetch', () => {
  const echo = echoQueue();
  let app: INestApplicationContext | undefined;

  beforeEach(quietLogs);

  afterEach(async () => {
    await app?.close();
    app = undefined;
    jest.restoreAllMocks();
  });

  afterAll(() => deleteQueues(echo));

  it('never has more handlers running (or messages unacked) than WORKER_PREFETCH', async () => {
    const prefetch = 3;
    const total = 10;
    const recorder = new Recorder();
    const gates = new Map<string, () => void>();
    recorder.behaviour = (message) => {
      const g = gate();
      gates.set(message.text, g.open);
      return g.opened;
    };
    app = await startApp(echo, recorder, prefetch);
    for (let i = 0; i < total; i += 1) await app.get(MessagePublisher).publish(echo, { text: `m${i}` });

    await until(() => recorder.active === prefetch, `${prefetch} handlers are busy`);
    // The broker holds back everything else: with an unbounded prefetch it would all be on its way to us.
    expect(await messageCount(echo.name)).toBe(total - prefetch);

    while (recorder.finished.length < total) {
      const done = recorder.finished.length;
      const next = [...gates.keys()].find((text) => !recorder.finished.some((f) => f.text === text));
      gates.get(next as string)?.();
      await until(() => recorder.finished.length > done, 'a handler finishes');
    }
    expect(recorder.maxActive).toBe(prefetch);
    expect(recorder.calls).toHaveLength(total);
  });
});
