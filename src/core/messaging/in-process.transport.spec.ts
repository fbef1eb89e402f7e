import { Controller, Logger, type INestApplicationContext } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { IsNotEmpty, IsString } from 'class-validator';
import { register } from 'prom-client';
import { startMessagingApp } from '../../../test/utils/messaging-app';
import { until } from '../../../test/utils/poll';
import { InProcessTransport } from './in-process.transport';
import { DeadLetterContext, MessageContext } from './message-context';
import { MessagePublisher } from './message-publisher';
import { MessageTransport } from './message-transport';
import { PermanentMessageError } from './messaging.errors';
import { defineQueue, type QueueDefinition } from './queue-definition';

class EchoMessage {
  @IsString()
  @IsNotEmpty()
  text!: string;
}

type Behaviour = (message: EchoMessage, context: MessageContext) => Promise<void>;

class Recorder {
  readonly calls: { text: string; context: MessageContext }[] = [];
  readonly deadLettered: { message?: EchoMessage; error: Error; context: MessageContext }[] = [];
  readonly finished: string[] = [];
  active = 0;
  maxActive = 0;
  behaviour: Behaviour = async () => undefined;
}

let queueCount = 0;
function echoQueue(maxAttempts = 3): QueueDefinition<EchoMessage> {
  queueCount += 1;
  return defineQueue({ name: `unit.echo.${queueCount}`, message: EchoMessage, retry: { maxAttempts, backoffMs: 5, maxBackoffMs: 20 } });
}

function handlerFor(queue: QueueDefinition<EchoMessage>, recorder: Recorder) {
  @Controller()
  class EchoHandler {
    @EventPattern(queue.name)
    async handle(@Payload() message: EchoMessage, @Ctx() context: MessageContext): Promise<void> {
      recorder.calls.push({ text: message.text, context });
      recorder.active += 1;
      recorder.maxActive = Math.max(recorder.maxActive, recorder.active);
      try {
        await recorder.behaviour(message, context);
        recorder.finished.push(message.text);
      } finally {
        recorder.active -= 1;
      }
    }

    @EventPattern(queue.deadLetters)
    async onDeadLetter(@Payload() message: EchoMessage | undefined, @Ctx() context: DeadLetterContext): Promise<void> {
      recorder.deadLettered.push({ message, error: context.error, context });
    }
  }
  return EchoHandler;
}

function startApp(queue: QueueDefinition<EchoMessage>, recorder: Recorder, prefetch = 2): Promise<INestApplicationContext> {
  return startMessagingApp({ queues: [queue], consume: true, prefetch }, [handlerFor(queue, recorder)]);
}


function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

async function counterValue(name: string, queue: string): Promise<number> {
  const metric = register.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  return values.find((v) => v.labels.queue === queue)?.value ?? 0;
}

describe('in-process transport', () => {
  let app: INestApplicationContext | undefined;

  beforeEach(() => {
    for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    jest.restoreAllMocks();
  });

  it('delivers after publish returns, once, with the request id, and leaves nothing behind', async () => {
    const queue = echoQueue();
    const recorder = new Recorder();
    app = await startApp(queue, recorder);

    await app.get(MessagePublisher).publish(queue, { text: 'hello' }, { requestId: 'req-42' });
    expect(recorder.calls).toHaveLength(0); // never inside publish's call stack

    await until(() => recorder.finished.length === 1, 'the message is handled');
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0].context).toMatchObject({ queue: queue.name, requestId: 'req-42', attempt: 1, maxAttempts: 3 });
    const transport = app.get(InProcessTransport);
    expect(await transport.queueDepths()).toEqual(new Map([[queue.name, 0], [`${queue.name}.dead`, 0]]));
    expect(transport.deadLetters(queue)).toEqual([]);
    expect(await counterValue('horizon_messages_processed_total', queue.name)).toBe(1);
  });

  it('retries a transient failure with growing attempts, then dead-letters it after maxAttempts', async () => {
    const queue = echoQueue(3);
    const recorder = new Recorder();
    recorder.behaviour = async () => {
      throw new Error('database unavailable');
    };
    app = await startApp(queue, recorder);

    await app.get(MessagePublisher).publish(queue, { text: 'doomed' });
    const transport = app.get(InProcessTransport);
    await until(() => transport.deadLetters(queue).length === 1, 'the message is dead-lettered');

    expect(recorder.calls.map((c) => c.context.attempt)).toEqual([1, 2, 3]);
    expect(new Set(recorder.calls.map((c) => c.context.messageId)).size).toBe(1);
    expect(transport.deadLetters(queue)[0]).toMatchObject({ messageId: recorder.calls[0].context.messageId, message: { text: 'doomed' } });
    expect(recorder.deadLettered).toHaveLength(1);
    expect(recorder.deadLettered[0].message).toEqual({ text: 'doomed' });
    expect(recorder.deadLettered[0].error.message).toBe('database unavailable');
    expect(await counterValue('horizon_messages_failed_total', queue.name)).toBe(3);
    expect(await counterValue('horizon_messages_retried_total', queue.name)).toBe(2);
    expect(await counterValue('horizon_messages_dead_lettered_total', queue.name)).toBe(1);
    expect((await transport.queueDepths()).get(queue.name)).toBe(0);
  });

  it('dead-letters a PermanentMessageError after one call', async () => {
    const queue = echoQueue(5);
    const recorder = new Recorder();
    recorder.behaviour = async () => {
      throw new PermanentMessageError('the file is not text');
    };
    app = await startApp(queue, recorder);

    await app.get(MessagePublisher).publish(queue, { text: 'binary' });
    const transport = app.get(InProcessTransport);
    await until(() => transport.deadLetters(queue).length === 1, 'the message is dead-lettered');
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.deadLettered).toHaveLength(1);
  });

  it('dead-letters a message that fails validation on consume without calling the handler', async () => {
    const queue = echoQueue(5);
    const recorder = new Recorder();
    app = await startApp(queue, recorder);
    // past the publisher's validation, as an older or foreign producer would
    await app.get(MessageTransport).publish(queue, { body: JSON.stringify({ text: 42 }), messageId: 'bad-1' });

    const transport = app.get(InProcessTransport);
    await until(() => transport.deadLetters(queue).length === 1, 'the message is dead-lettered');
    expect(transport.deadLetters(queue)[0]).toMatchObject({ messageId: 'bad-1', message: { text: 42 } });
    expect(recorder.calls).toHaveLength(0);
    expect(recorder.deadLettered).toHaveLength(1);
    expect(recorder.deadLettered[0].message).toBeUndefined();
  });

  it('never runs more handlers at once than the prefetch', async () => {
    const queue = echoQueue();
    const recorder = new Recorder();
    const gates = new Map<string, ReturnType<typeof gate>>();
    recorder.behaviour = async (message) => {
      const g = gate();
      gates.set(message.text, g);
      await g.opened;
    };
    app = await startApp(queue, recorder, 3);
    const publisher = app.get(MessagePublisher);
    for (let i = 0; i < 10; i += 1) await publisher.publish(queue, { text: `m${i}` });

    await until(() => recorder.active === 3, 'three handlers run');
    const transport = app.get(InProcessTransport);
    expect((await transport.queueDepths()).get(queue.name)).toBe(7);
    while (recorder.finished.length < 10) {
      const running = [...gates.entries()].find(([text]) => !recorder.finished.includes(text));
      running?.[1].open();
      const done = recorder.finished.length;
      await until(() => recorder.finished.length > done, 'a handler finishes');
    }
    expect(recorder.maxActive).toBe(3);
    expect(recorder.calls).toHaveLength(10);
  });

  it('on close stops deliveries, aborts the signal and waits for in-flight handlers', async () => {
    const queue = echoQueue();
    const recorder = new Recorder();
    const release = gate();
    recorder.behaviour = () => release.opened;
    app = await startApp(queue, recorder, 2);
    const publisher = app.get(MessagePublisher);
    for (let i = 0; i < 5; i += 1) await publisher.publish(queue, { text: `m${i}` });
    await until(() => recorder.active === 2, 'two handlers run');

    let closed = false;
    const closing = app.close().then(() => (closed = true));
    app = undefined;
    await until(() => recorder.calls.every((c) => c.context.signal.aborted), 'the handlers see the abort');
    expect(closed).toBe(false);

    release.open();
    await closing;
    expect(recorder.finished).toHaveLength(2); // both finished before close resolved
    expect(recorder.calls).toHaveLength(2); // and nothing new started
  });

  it('starts a delivery from a fresh macrotask, never inside publish', async () => {
    const queue = echoQueue();
    const transport = new InProcessTransport([queue], new Set([queue.name]));
    const delivered: string[] = [];
    await transport.consume([queue], 1, async (delivery, settle) => {
      delivered.push(delivery.messageId);
      settle.ack();
    });
    await new Promise((resolve) => setImmediate(resolve));

    const publishing = transport.publish(queue, { body: '{"text":"x"}', messageId: 'id-1' });
    expect(delivered).toEqual([]);
    await publishing;
    expect(delivered).toEqual([]);
    await until(() => delivered.length === 1, 'the message is delivered');
  });

  it('keeps queued messages when consumers stop and delivers them when consuming resumes', async () => {
    const queue = echoQueue();
    const transport = new InProcessTransport([queue], new Set([queue.name]));
    const handled: string[] = [];
    const release = gate();
    const listener = async (delivery: { body: Buffer | string; messageId: string }, settle: { ack(): void }) => {
      await release.opened;
      handled.push(delivery.messageId);
      settle.ack();
    };
    for (let i = 0; i < 4; i += 1) await transport.publish(queue, { body: '{"text":"x"}', messageId: `id-${i}` });
    await transport.consume([queue], 1, listener);
    await until(async () => (await transport.queueDepths()).get(queue.name) === 3, 'one message is in flight');

    await transport.cancelConsumers();
    release.open();
    await until(() => handled.length === 1, 'the in-flight message settles');
    await new Promise((resolve) => setImmediate(resolve));
    expect(handled).toEqual(['id-0']);

    await transport.consume([queue], 1, listener);
    await until(() => handled.length === 4, 'the rest is delivered');
    expect(handled).toEqual(['id-0', 'id-1', 'id-2', 'id-3']);
  });

  it('queues messages but warns once when this process consumes nothing', async () => {
    const queue = echoQueue();
    const warn = jest.spyOn(Logger.prototype, 'warn');
    app = await startMessagingApp({ queues: [queue], consume: false, prefetch: 1 });
    const publisher = app.get(MessagePublisher);
    await publisher.publish(queue, { text: 'a' });
    await publisher.publish(queue, { text: 'b' });

    expect((await app.get(InProcessTransport).queueDepths()).get(queue.name)).toBe(2);
    expect(warn.mock.calls.filter(([message]) => String(message).includes('does not consume'))).toHaveLength(1);
  });
});

