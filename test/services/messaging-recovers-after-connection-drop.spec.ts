import { Logger } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { MessagePublisher } from '../../src/core/messaging/message-publisher';
import { MessagingHealth } from '../../src/core/messaging/messaging-health';
import {
  closeConnections,
  deleteQueues,
  echoQueue,
  gate,
  messageCount,
  ownConnections,
  quietLogs,
  Recorder,
  startApp,
  until,
} from './fixtures/messaging-test-kit';

describe('RabbitMQ messaging: the broker drops the connection', () => {
  const echo = echoQueue({ maxAttempts: 3 });
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

  afterAll(() => deleteQueues(echo));

  it('reconnects, consumes what is published afterwards and redelivers what was in flight', async () => {
    const recorder = new Recorder();
    const release = gate();
    recorder.behaviour = async (message) => {
      if (message.text === 'in flight') await release.opened;
    };
    app = await startApp(echo, recorder, 2); // room for a new message beside the redelivered one
    const publisher = app.get(MessagePublisher);
    await publisher.publish(echo, { text: 'in flight' });
    await until(() => recorder.active === 1, 'the first message is being handled');

    const before = await ownConnections();
    expect(before).toHaveLength(2); // publisher and consumer
    await closeConnections(before);

    await publisher.publish(echo, { text: 'after the drop' }); // resolves on the broker's confirm, after reconnecting
    await until(() => recorder.finished.some((f) => f.text === 'after the drop'), 'the new message is consumed');
    // The broker returned the unacked message when the connection dropped and redelivers it.
    await until(() => recorder.calls.some((c) => c.text === 'in flight' && c.context.attempt === 2), 'the in-flight message is redelivered');

    // Both runs now finish. The first one's ack belongs to the dead channel: it must not reach the
    // new channel, where its delivery tag would ack the wrong message or get the channel closed.
    release.open();
    await until(() => recorder.finished.filter((f) => f.text === 'in flight').length === 2, 'both runs finish');
    await publisher.publish(echo, { text: 'still healthy' });
    await until(() => recorder.finished.some((f) => f.text === 'still healthy'), 'the channel still works');
    expect(logError).not.toHaveBeenCalled();

    const after = await ownConnections();
    expect(after).toHaveLength(2);
    expect(after.filter((pid) => before.includes(pid))).toEqual([]); // genuinely new connections
    await expect(app.get(MessagingHealth).check()).resolves.toBeUndefined();

    await app.close();
    app = undefined;
    expect(await messageCount(echo.name)).toBe(0);
  });
});
