import { Logger } from '@nestjs/common';
import { IsNotEmpty, IsString } from 'class-validator';
import { DomainError } from '../errors/domain-error';
import { backoffDelay, decideOnFailure, dispatchDelivery, type HandlerRoute } from './message-dispatch';
import { MessageContext } from './message-context';
import type { Delivery, Settlement } from './message-transport';
import { classifyFailure, MessageValidationError, PermanentMessageError } from './messaging.errors';
import type { MessagingMetrics } from './messaging.metrics';
import { defineQueue, type RetryPolicy } from './queue-definition';

class EchoMessage {
  @IsString()
  @IsNotEmpty()
  text!: string;
}

const retry: RetryPolicy = { maxAttempts: 3, backoffMs: 10, maxBackoffMs: 25 };
const queue = defineQueue({ name: 'unit.echo', message: EchoMessage, retry });

function recordingSettlement() {
  const calls: (keyof Settlement)[] = [];
  const settlement: Settlement = {
    ack: () => calls.push('ack'),
    requeue: () => calls.push('requeue'),
    deadLetter: () => calls.push('deadLetter'),
  };
  return { calls, settlement };
}

function fakeMetrics() {
  return { processed: jest.fn(), failed: jest.fn(), retried: jest.fn(), deadLettered: jest.fn() };
}

function delivery(overrides: Partial<Delivery> = {}): Delivery {
  return { queue: queue.name, body: JSON.stringify({ text: 'hi' }), messageId: 'm-1', requestId: 'r-1', deliveryCount: 0, ...overrides };
}

function route(handle: HandlerRoute['handle'], onDeadLetter?: HandlerRoute['onDeadLetter']): HandlerRoute {
  return { queue, owner: 'Test.handle', handle, onDeadLetter };
}

async function dispatch(r: HandlerRoute, d: Delivery, signal = new AbortController().signal) {
  const { calls, settlement } = recordingSettlement();
  const metrics = fakeMetrics();
  await dispatchDelivery(r, d, settlement, { signal, metrics: metrics as unknown as MessagingMetrics });
  return { calls, metrics };
}

beforeEach(() => {
  jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  jest.restoreAllMocks();
  jest.useRealTimers();
});

describe('classifyFailure', () => {
  it.each([
    { label: 'a PermanentMessageError', error: new PermanentMessageError('bad input'), expected: 'dead-letter' },
    { label: 'an invalid message', error: new MessageValidationError('q', [{ path: 'text', message: 'must be a string' }]), expected: 'dead-letter' },
    { label: 'a domain error (not retryable by default)', error: new DomainError('JOB_NOT_FOUND', 'gone'), expected: 'dead-letter' },
    { label: 'a retryable domain error', error: new DomainError('STORAGE_DOWN', 'later', { retryable: true }), expected: 'retry' },
    { label: 'a plain error (database down, network, timeout)', error: new Error('ECONNREFUSED'), expected: 'retry' },
    { label: 'a thrown string', error: 'boom', expected: 'retry' },
  ])('$label → $expected', ({ error, expected }) => {
    expect(classifyFailure(error)).toBe(expected);
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt from backoffMs and stops at maxBackoffMs', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(attempt, retry))).toEqual([10, 20, 25, 25]);
  });
});

describe('decideOnFailure', () => {
  it('retries a transient failure with backoff while attempts remain', () => {
    expect(decideOnFailure(new Error('db down'), 1, retry, false)).toEqual({ action: 'retry', delayMs: 10 });
    expect(decideOnFailure(new Error('db down'), 2, retry, false)).toEqual({ action: 'retry', delayMs: 20 });
  });

  it('dead-letters a transient failure on the last attempt (and past it)', () => {
    expect(decideOnFailure(new Error('db down'), 3, retry, false)).toEqual({ action: 'dead-letter', reason: 'attempts exhausted' });
    expect(decideOnFailure(new Error('db down'), 4, retry, false)).toEqual({ action: 'dead-letter', reason: 'attempts exhausted' });
  });

  it('dead-letters a permanent failure on the first attempt', () => {
    expect(decideOnFailure(new PermanentMessageError('no'), 1, retry, false)).toEqual({ action: 'dead-letter', reason: 'permanent' });
  });

  it('requeues at once during shutdown, even on the last attempt, but never a permanent failure', () => {
    expect(decideOnFailure(new Error('aborted'), 3, retry, true)).toEqual({ action: 'retry', delayMs: 0 });
    expect(decideOnFailure(new PermanentMessageError('no'), 1, retry, true)).toEqual({ action: 'dead-letter', reason: 'permanent' });
  });
});

describe('dispatchDelivery', () => {
  it('acks once after the handler succeeds, handing it the validated DTO and the context', async () => {
    let seen: { message: object; context: MessageContext } | undefined;
    const signal = new AbortController().signal;
    const { calls, metrics } = await dispatch(
      route(async (message, context) => {
        seen = { message, context };
      }),
      delivery({ deliveryCount: 1 }),
      signal,
    );
    expect(calls).toEqual(['ack']);
    expect(seen?.message).toBeInstanceOf(EchoMessage);
    expect(seen?.message).toEqual({ text: 'hi' });
    expect(seen?.context).toBeInstanceOf(MessageContext);
    expect({ ...seen?.context, args: undefined }).toEqual({ queue: 'unit.echo', requestId: 'r-1', attempt: 2, maxAttempts: 3, messageId: 'm-1', signal });
    expect(metrics.processed).toHaveBeenCalledWith('unit.echo');
  });

  it('strips fields the DTO does not know instead of refusing the message', async () => {
    let seen: object | undefined;
    const { calls } = await dispatch(
      route(async (message) => {
        seen = message;
      }),
      delivery({ body: JSON.stringify({ text: 'hi', addedLater: 1 }) }),
    );
    expect(calls).toEqual(['ack']);
    expect(seen).toEqual({ text: 'hi' });
  });

  it('waits the backoff, then requeues a transient failure once', async () => {
    jest.useFakeTimers();
    const { calls, settlement } = recordingSettlement();
    const metrics = fakeMetrics();
    const done = dispatchDelivery(
      route(async () => {
        throw new Error('db down');
      }),
      delivery({ deliveryCount: 1 }), // attempt 2 → 20 ms
      settlement,
      { signal: new AbortController().signal, metrics: metrics as unknown as MessagingMetrics },
    );
    await jest.advanceTimersByTimeAsync(19);
    expect(calls).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    await done;
    expect(calls).toEqual(['requeue']);
    expect(metrics.failed).toHaveBeenCalledTimes(1);
    expect(metrics.retried).toHaveBeenCalledTimes(1);
    expect(metrics.deadLettered).not.toHaveBeenCalled();
  });

  it('cuts the backoff short when shutdown starts', async () => {
    const slow = defineQueue({ name: 'unit.slow', message: EchoMessage, retry: { maxAttempts: 5, backoffMs: 60_000, maxBackoffMs: 60_000 } });
    const shutdown = new AbortController();
    const { calls, settlement } = recordingSettlement();
    const done = dispatchDelivery(
      {
        queue: slow,
        owner: 'Test.handle',
        handle: async () => {
          throw new Error('db down');
        },
      },
      delivery({ queue: slow.name }),
      settlement,
      { signal: shutdown.signal, metrics: fakeMetrics() as unknown as MessagingMetrics },
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([]);
    shutdown.abort();
    await done;
    expect(calls).toEqual(['requeue']);
  });

  it('dead-letters on the last attempt and tells the dead-letter handler', async () => {
    const onDeadLetter = jest.fn(async () => undefined);
    const failure = new Error('still down');
    const { calls, metrics } = await dispatch(
      route(async () => {
        throw failure;
      }, onDeadLetter),
      delivery({ deliveryCount: 2 }),
    );
    expect(calls).toEqual(['deadLetter']);
    expect(onDeadLetter).toHaveBeenCalledTimes(1);
    expect(onDeadLetter).toHaveBeenCalledWith({ text: 'hi' }, failure, expect.objectContaining({ attempt: 3, messageId: 'm-1' }));
    expect(metrics.failed).toHaveBeenCalledTimes(1);
    expect(metrics.deadLettered).toHaveBeenCalledTimes(1);
    expect(metrics.retried).not.toHaveBeenCalled();
  });

  it('dead-letters a PermanentMessageError on the first attempt', async () => {
    const { calls } = await dispatch(
      route(async () => {
        throw new PermanentMessageError('file is not text');
      }),
      delivery(),
    );
    expect(calls).toEqual(['deadLetter']);
  });

  it.each([
    ['not JSON', '{"text":'],
    ['not an object', '"hi"'],
    ['missing a field', '{}'],
    ['a field of the wrong type', '{"text": 42}'],
  ])('dead-letters a message that is %s without calling the handler', async (_case, body) => {
    const handle = jest.fn(async () => undefined);
    const onDeadLetter = jest.fn(async () => undefined);
    const { calls, metrics } = await dispatch(route(handle, onDeadLetter), delivery({ body }));
    expect(calls).toEqual(['deadLetter']);
    expect(handle).not.toHaveBeenCalled();
    expect(onDeadLetter).toHaveBeenCalledWith(undefined, expect.any(MessageValidationError), expect.objectContaining({ attempt: 1 }));
    expect(metrics.failed).not.toHaveBeenCalled(); // the handler did not fail; the message was bad
    expect(metrics.deadLettered).toHaveBeenCalledTimes(1);
  });

  it('logs the field errors of an invalid message', async () => {
    const error = jest.spyOn(Logger.prototype, 'error');
    await dispatch(route(jest.fn()), delivery({ body: '{"text": 42}' }));
    expect(error).toHaveBeenCalledWith(
      expect.stringMatching(/\[unit\.echo\] message m-1 attempt 1\/3 request r-1 .*text: text must be a string/),
      undefined,
    );
  });

  it('still dead-letters, once, when the dead-letter handler fails', async () => {
    const { calls } = await dispatch(
      route(
        async () => {
          throw new PermanentMessageError('no');
        },
        async () => {
          throw new Error('database down too');
        },
      ),
      delivery(),
    );
    expect(calls).toEqual(['deadLetter']);
  });

  it('requeues when something other than an Error is thrown', async () => {
    const { calls } = await dispatch(
      route(async () => {
        throw 'boom';
      }),
      delivery({ deliveryCount: 0 }),
    );
    expect(calls).toEqual(['requeue']);
  });

  it('requeues rather than dropping the message when the dispatch itself breaks', async () => {
    const { calls, settlement } = recordingSettlement();
    const metrics = fakeMetrics();
    metrics.processed.mockImplementation(() => {
      throw new Error('metrics broke');
    });
    await dispatchDelivery(route(async () => undefined), delivery(), settlement, {
      signal: new AbortController().signal,
      metrics: metrics as unknown as MessagingMetrics,
    });
    expect(calls).toHaveLength(1);
  });
});
