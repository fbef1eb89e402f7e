import { Catch, Controller, Injectable, Logger, Scope, UseFilters, type INestApplicationContext, type RpcExceptionFilter, type Type } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { IsNotEmpty, IsString } from 'class-validator';
import { register } from 'prom-client';
import { lastValueFrom, throwError } from 'rxjs';
import { startMessagingApp } from '../../../test/utils/messaging-app';
import { until } from '../../../test/utils/poll';
import { DomainError } from '../errors/domain-error';
import { InProcessTransport } from './in-process.transport';
import { DeadLetterContext, MessageContext } from './message-context';
import { MessagePublisher } from './message-publisher';
import { MessagingClient, MessageRecord } from './messaging.client';
import { MessagingHealth } from './messaging-health';
import { MessageValidationError, PermanentMessageError } from './messaging.errors';
import { MessagingModule, type MessagingOptions } from './messaging.module';
import { defineQueue } from './queue-definition';

class EchoMessage {
  @IsString()
  @IsNotEmpty()
  text!: string;
}

const retry = { maxAttempts: 3, backoffMs: 5, maxBackoffMs: 20 };
const echo = defineQueue({ name: 'unit.module.echo', message: EchoMessage, retry });
const other = defineQueue({ name: 'unit.module.other', message: EchoMessage, retry });
const unregistered = defineQueue({ name: 'unit.module.unregistered', message: EchoMessage, retry });

@Controller()
class EchoHandler {
  @EventPattern(echo.name)
  async handle(@Payload() _message: EchoMessage, @Ctx() _context: MessageContext): Promise<void> {}
}

@Controller()
class SecondEchoHandler {
  @EventPattern(echo.name)
  async handle(@Payload() _message: EchoMessage): Promise<void> {}
}

@Controller()
class UnregisteredHandler {
  @EventPattern(unregistered.name)
  async handle(@Payload() _message: EchoMessage): Promise<void> {}
}

@Controller({ scope: Scope.REQUEST })
class RequestScopedHandler {
  @EventPattern(echo.name)
  async handle(@Payload() _message: EchoMessage): Promise<void> {}
}

@Controller()
class RequestReplyHandler {
  @MessagePattern(echo.name)
  async handle(@Payload() _message: EchoMessage): Promise<void> {}
}

@Injectable()
class ProviderHandler {
  @EventPattern(echo.name)
  async handle(@Payload() _message: EchoMessage): Promise<void> {}
}

function boot(options: Partial<MessagingOptions>, controllers: Type[] = []): Promise<INestApplicationContext> {
  return startMessagingApp({ queues: [echo, other], consume: true, prefetch: 1, ...options }, controllers);
}


describe('MessagingModule', () => {
  let app: INestApplicationContext | undefined;

  beforeEach(() => {
    for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    jest.restoreAllMocks();
  });

  describe('start-up', () => {
    it('refuses an unknown WORKER_QUEUES name and lists the valid ones', async () => {
      await expect(boot({ consumeQueues: ['unit.module.echo', 'jobs.typo'] }, [EchoHandler])).rejects.toThrow(
        'WORKER_QUEUES names unknown queue(s) "jobs.typo"; valid queues: unit.module.echo, unit.module.other',
      );
    });

    it('refuses a consumed queue without an @EventPattern handler', async () => {
      await expect(boot({}, [EchoHandler])).rejects.toThrow('No @EventPattern handler for consumed queue(s) "unit.module.other"');
    });

    it('starts when the queues without a handler are left out of WORKER_QUEUES', async () => {
      app = await boot({ consumeQueues: ['unit.module.echo'] }, [EchoHandler]);
      await expect(app.get(MessagingHealth).check()).resolves.toBeUndefined();
    });

    it('refuses two handlers for one queue, naming both', async () => {
      await expect(boot({ consumeQueues: ['unit.module.echo'] }, [EchoHandler, SecondEchoHandler])).rejects.toThrow(
        'Queue "unit.module.echo" has two @EventPattern handlers: EchoHandler.handle and SecondEchoHandler.handle',
      );
    });

    it('refuses a handler for a queue that is not registered', async () => {
      await expect(boot({ consumeQueues: ['unit.module.echo'] }, [EchoHandler, UnregisteredHandler])).rejects.toThrow(
        'UnregisteredHandler.handle handles "unit.module.unregistered", which is neither a registered queue nor its dead-letter pattern',
      );
    });

    it('refuses a request-scoped handler', async () => {
      await expect(boot({ consumeQueues: ['unit.module.echo'] }, [RequestScopedHandler])).rejects.toThrow(
        'RequestScopedHandler.handle handles messages but its controller is request-scoped',
      );
    });

    it('refuses request-reply handlers: queues carry events', async () => {
      await expect(boot({ consumeQueues: ['unit.module.echo'] }, [RequestReplyHandler])).rejects.toThrow(
        'RequestReplyHandler.handle uses @MessagePattern: queues carry events, not requests; use @EventPattern',
      );
    });

    it('refuses @EventPattern on a provider, which Nest would silently ignore', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [MessagingModule.forRoot({ queues: [echo], consume: true, prefetch: 1 })],
        providers: [ProviderHandler],
      }).compile();
      const { messagingMicroservice } = await import('./messaging.server');
      expect(() => moduleRef.createNestMicroservice(messagingMicroservice())).toThrow(
        'ProviderHandler.handle has @EventPattern but ProviderHandler is a provider',
      );
      await moduleRef.close();
    });

    it('is not ready before its consumers are attached', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [MessagingModule.forRoot({ queues: [echo], consume: true, prefetch: 1 })],
        controllers: [EchoHandler],
      }).compile();
      app = await moduleRef.init(); // initialised, but the microservice never listened
      await expect(app.get(MessagingHealth).check()).rejects.toThrow('the queue consumers are not attached');
    });

    it('refuses a prefetch below 1', async () => {
      await expect(boot({ consume: false, prefetch: 0 })).rejects.toThrow('WORKER_PREFETCH must be a whole number >= 1');
    });

    it('needs no handler at all in API-only mode', async () => {
      app = await boot({ consume: false });
      await expect(app.get(MessagePublisher).publish(echo, { text: 'queued for a worker' })).resolves.toBeUndefined();
    });
  });

  describe('publisher', () => {
    beforeEach(async () => {
      app = await boot({ consume: false });
    });

    it('refuses an invalid message, naming the field', async () => {
      const publish = app!.get(MessagePublisher).publish(echo, { text: 7 } as unknown as EchoMessage);
      await expect(publish).rejects.toThrow(MessageValidationError);
      await expect(publish).rejects.toThrow('text: text must be a string');
    });

    it('refuses fields the DTO does not declare', async () => {
      await expect(app!.get(MessagePublisher).publish(echo, { text: 'x', extra: true } as EchoMessage)).rejects.toThrow(
        'property extra should not exist',
      );
    });

    it('refuses a queue that is not registered', async () => {
      await expect(app!.get(MessagePublisher).publish(unregistered, { text: 'x' })).rejects.toThrow(
        'Queue "unit.module.unregistered" is not registered with MessagingModule',
      );
    });

    it('reports queue depth on scrape', async () => {
      await app!.get(MessagePublisher).publish(echo, { text: 'a' });
      await app!.get(MessagePublisher).publish(echo, { text: 'b' });
      const gauge = register.getSingleMetric('horizon_queue_depth');
      const values = (await gauge?.get())?.values ?? [];
      expect(values).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ labels: { queue: 'unit.module.echo' }, value: 2 }),
          expect.objectContaining({ labels: { queue: 'unit.module.echo.dead' }, value: 0 }),
        ]),
      );
    });
  });

  describe('client proxy', () => {
    beforeEach(async () => {
      app = await boot({ consume: false });
    });

    it('publishes an emitted event, with its request id, after validating it', async () => {
      const client = app!.get(MessagingClient);
      await lastValueFrom(client.emit(echo.name, new MessageRecord({ text: 'via emit' }, { requestId: 'req-9' })), { defaultValue: undefined });
      await lastValueFrom(client.emit(echo.name, { text: 'plain data' }), { defaultValue: undefined });
      expect((await app!.get(InProcessTransport).queueDepths()).get(echo.name)).toBe(2);
      await expect(lastValueFrom(client.emit(echo.name, { text: '' }))).rejects.toThrow(MessageValidationError);
    });

    it('refuses request-reply with an error that says why', async () => {
      await expect(lastValueFrom(app!.get(MessagingClient).send(echo.name, { text: 'x' }))).rejects.toThrow(
        'Request-reply is not supported: queue "unit.module.echo" carries events; use emit() or MessagePublisher.publish()',
      );
    });
  });

  describe('handler errors through the Nest pipeline', () => {
    class RetryableError extends DomainError {
      constructor() {
        super('FLAKY', 'try again later', { retryable: true });
      }
    }

    function consumerThrowing(make: () => Error, calls: MessageContext[], deadLettered: DeadLetterContext[]): Type {
      @Controller()
      class ThrowingConsumer {
        @EventPattern(echo.name)
        async handle(@Ctx() context: MessageContext): Promise<void> {
          calls.push(context);
          throw make();
        }

        @EventPattern(echo.deadLetters)
        async gaveUp(@Payload() _message: EchoMessage, @Ctx() context: DeadLetterContext): Promise<void> {
          deadLettered.push(context);
        }
      }
      return ThrowingConsumer;
    }

    it('dead-letters a PermanentMessageError at once: Nest\'s RPC filter does not hide the error class', async () => {
      const calls: MessageContext[] = [];
      const deadLettered: DeadLetterContext[] = [];
      const failure = new PermanentMessageError('the file is gone');
      app = await boot({ consumeQueues: [echo.name] }, [consumerThrowing(() => failure, calls, deadLettered)]);
      await app.get(MessagePublisher).publish(echo, { text: 'doomed' });
      await until(() => deadLettered.length === 1, 'the message is dead-lettered');
      expect(calls).toHaveLength(1); // not retried
      expect(deadLettered[0].error).toBe(failure); // the very error, not { status: 'error', message: 'Internal server error' }
      expect(deadLettered[0]).toMatchObject({ queue: echo.name, attempt: 1, maxAttempts: 3 });
      expect(app.get(InProcessTransport).deadLetters(echo)).toHaveLength(1);
    });

    it('retries a retryable error up to maxAttempts, then hands the last error to the dead-letter handler', async () => {
      const calls: MessageContext[] = [];
      const deadLettered: DeadLetterContext[] = [];
      app = await boot({ consumeQueues: [echo.name] }, [consumerThrowing(() => new RetryableError(), calls, deadLettered)]);
      await app.get(MessagePublisher).publish(echo, { text: 'flaky' });
      await until(() => deadLettered.length === 1, 'the message is dead-lettered');
      expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
      expect(deadLettered[0].error).toBeInstanceOf(RetryableError);
    });

    it('lets a filter the consumer declares take precedence', async () => {
      @Catch(RetryableError)
      class FlakyIsFatalHere implements RpcExceptionFilter<RetryableError> {
        catch() {
          return throwError(() => new PermanentMessageError('flaky is fatal here'));
        }
      }
      const calls: MessageContext[] = [];
      const deadLettered: DeadLetterContext[] = [];
      const consumer = consumerThrowing(() => new RetryableError(), calls, deadLettered);
      UseFilters(new FlakyIsFatalHere())(consumer);
      app = await boot({ consumeQueues: [echo.name] }, [consumer]);
      await app.get(MessagePublisher).publish(echo, { text: 'flaky' });
      await until(() => deadLettered.length === 1, 'the message is dead-lettered');
      expect(calls).toHaveLength(1);
      expect(deadLettered[0].error.message).toBe('flaky is fatal here');
    });
  });
});
