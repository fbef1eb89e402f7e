import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { MessagePublisher } from '../../src/core/messaging/message-publisher';
import { deleteQueues, echoQueue, messageCount, quietLogs, Recorder, startApp, until } from './fixtures/messaging-test-kit';

const WORKER = join(__dirname, 'fixtures', 'messaging-hanging-worker.ts');

describe('RabbitMQ messaging: a worker process dies mid-message', () => {
  const echo = echoQueue({ maxAttempts: 3 });
  let worker: ChildProcessWithoutNullStreams | undefined;
  let app: INestApplicationContext | undefined;

  beforeEach(quietLogs);

  afterEach(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await app?.close();
    app = undefined;
    jest.restoreAllMocks();
  });

  afterAll(() => deleteQueues(echo));

  it('redelivers the unacked message to another worker as attempt 2', async () => {
    // API side: declares the queue and publishes before any worker runs
    app = await startApp(echo);
    await app.get(MessagePublisher).publish(echo, { text: 'survive me' });
    await app.close();
    app = undefined;

    worker = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', WORKER, echo.name], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '..', '..', 'tsconfig.json') },
    });
    let stdout = '';
    let stderr = '';
    worker.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    worker.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await until(() => /^HAVE \S+ 1$/m.test(stdout) || worker?.exitCode !== null, 'the worker has the message', 60_000);
    const [, messageId] = /^HAVE (\S+) 1$/m.exec(stdout) ?? [];
    expect({ messageId, stderr }).toEqual({ messageId: expect.any(String), stderr: '' });

    const exited = once(worker, 'exit');
    worker.kill('SIGKILL'); // no shutdown hook runs: nothing acks, nacks or closes cleanly
    const [, signal] = await exited;
    expect(signal).toBe('SIGKILL');

    const recorder = new Recorder();
    app = await startApp(echo, recorder);
    await until(() => recorder.finished.length === 1, 'the second worker handles the message');
    expect(recorder.calls).toHaveLength(1);
    expect(recorder.calls[0].context).toMatchObject({ messageId, attempt: 2, maxAttempts: 3 });
    expect(recorder.calls[0].text).toBe('survive me');

    await app.close();
    app = undefined;
    expect(await messageCount(echo.name)).toBe(0);
  });
});
