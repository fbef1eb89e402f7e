import { Injectable, Logger, Scope, type Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { IsNotEmpty, IsString } from 'class-validator';
import { register } from 'prom-client';
import { MessageHandler, type MessageContext } from './message-handler.decorator';
import { MessagePublisher } from './message-publisher';
import { MessagingHealth } from './messaging-health';
import { MessageValidationError } from './messaging.errors';
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

@Injectable()
class EchoHandler {
  @MessageHandler(echo)
  async handle(_message: EchoMessage, _context: MessageContext): Promise<void> {}
}

@Injectable()
class SecondEchoHandler {
  @MessageHandler(echo)
  async handle(_message: EchoMessage): Promise<void> {}
}

@Injectable()
class UnregisteredHandler {
  @MessageHandler(unregistered)
  async handle(_message: EchoMessage): Promise<void> {}
}

@Injectable({ scope: Scope.REQUEST })
class RequestScopedHandler {
  @MessageHandler(echo)
  async handle(_message: EchoMessage): Promise<void> {}
}

async function boot(options: Partial<MessagingOptions>, providers: Type[] = []): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    imports: [MessagingModule.forRoot({ queues: [echo, other], consume: true, prefetch: 1, ...options })],
    providers,
  }).compile();
  try {
    return await app.init();
  } catch (err) {
    await app.close();
    throw err;
  }
}

describe('MessagingModule', () => {
  let app: TestingModule | undefined;

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

    it('refuses a consumed queue without a @MessageHandler', async () => {
      await expect(boot({}, [EchoHandler])).rejects.toThrow('No @MessageHandler for consumed queue(s) "unit.module.other"');
    });

    it('starts when the queues without a handler are left out of WORKER_QUEUES', async () => {
      app = await boot({ consumeQueues: ['unit.module.echo'] }, [EchoHandler]);
      await expect(app.get(MessagingHealth).check()).resolves.toBeUndefined();
    });

    it('refuses two handlers for one queue, naming both', async () => {
      await expect(boot({ consumeQueues: ['unit.module.echo'] }, [EchoHandler, SecondEchoHandler])).rejects.toThrow(
        'Queue "unit.module.echo" has two @MessageHandler methods: EchoHandler.handle and SecondEchoHandler.handle',
      );
    });

    it('refuses a handler for a queue that is not registered', async () => {
      await expect(boot({ consume: false }, [UnregisteredHandler])).rejects.toThrow(
        'UnregisteredHandler.handle handles queue "unit.module.unregistered", which is not registered',
      );
    });

    it('refuses a request-scoped handler', async () => {
      await expect(boot({ consumeQueues: ['unit.module.echo'] }, [RequestScopedHandler])).rejects.toThrow('request-scoped');
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
});
