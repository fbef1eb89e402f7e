import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEATURES } from '../../src/feature-modules';
import { freePort, startProcess, waitForReady } from '../utils/process';
import { createTestVhost, SERVICES } from '../utils/services-env';
import { createTestDatabase } from '../utils/test-database';

/** `npm run start:worker` against real PostgreSQL and RabbitMQ: consumes, answers health, exposes no API. */
describe('worker process', () => {
  it('is ready, serves metrics, exposes no API route, and exits 0 on SIGTERM', async () => {
    const database = await createTestDatabase(SERVICES.databaseUrl);
    const vhost = createTestVhost();
    const port = await freePort();
    const run = startProcess('src/worker.ts', {
      DATABASE_URL: database.url,
      RABBITMQ_URL: vhost.url,
      WORKER_HEALTH_PORT: String(port),
      JWT_SECRET: 'x'.repeat(32),
      DATA_DIR: join(tmpdir(), `horizon-worker-${process.pid}`),
    });
    try {
      await waitForReady(`http://127.0.0.1:${port}/health/ready`, run);
      // Ready means consuming: each queue has its consumer the moment /health/ready first answers
      // 200. (list_consumers, not list_queues' consumer count: that one is a statistic that lags.)
      const consumers = execFileSync('rabbitmqctl', ['-q', '--no-table-headers', 'list_consumers', '-p', vhost.name, 'queue_name'], { encoding: 'utf8' });
      // Every queue a feature defines has its consumer (the list grows as features are merged).
      expect(consumers.trim().split('\n').sort()).toEqual(FEATURES.queues.map((q) => q.name).sort());
      const ready = (await (await fetch(`http://127.0.0.1:${port}/health/ready`)).json()) as { info: unknown };
      expect(ready.info).toEqual({ database: { status: 'up' }, broker: { status: 'up' }, storage: { status: 'up' } });
      expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(/horizon_messages_processed_total/);
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/users/me`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/docs-json`)).status).toBe(404);
      expect(await run.stop()).toBe(0);
    } finally {
      await run.stop('SIGKILL');
      await database.drop();
      vhost.remove();
    }
  });
});

