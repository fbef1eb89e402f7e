import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../../src/app.module';
import { AppConfig } from '../../src/core/config/app-config';
import { startEmbeddedPostgres } from '../../src/core/database/embedded-postgres';
import { configureHttp } from '../../src/core/http/configure-http';
import { createTestDatabase as freshDatabase } from '../../test/utils/test-database';

/**
 * The app under `npm run bench:ecg`, in its own process (so the load generator does not share its
 * event loop): API and worker in one process, as `npm start` runs it. Reports `{port, token, mode}`
 * over IPC.
 *   default:             embedded PostgreSQL, in-process queue
 *   BENCH_DATABASE_URL:  a fresh database created on that server (dropped at exit)
 *   BENCH_RABBITMQ_URL:  RabbitMQ; the worker consuming it is this same process
 */
async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'horizon-bench-ecg-'));
  const external = process.env.BENCH_DATABASE_URL ? await freshDatabase(process.env.BENCH_DATABASE_URL) : undefined;
  const embedded = external ? undefined : await startEmbeddedPostgres(join(dataDir, 'pg'));
  const config = AppConfig.from({
    DATA_DIR: dataDir,
    DATABASE_URL: external?.url ?? embedded!.url,
    ...(process.env.BENCH_RABBITMQ_URL ? { RABBITMQ_URL: process.env.BENCH_RABBITMQ_URL } : {}),
    LOG_LEVEL: 'warn',
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'bench-admin-password',
  });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, { withWorker: true }), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  configureHttp(app, config);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;
  const post = async (path: string, body: object, token?: string) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return (await res.json()) as Record<string, string>;
  };
  const admin = (await post('/api/v1/auth/token', { username: 'admin', password: 'bench-admin-password' })).access_token;
  await post('/api/v1/users', { username: 'bench-user', password: 'bench-user-password' }, admin);
  const token = (await post('/api/v1/auth/token', { username: 'bench-user', password: 'bench-user-password' })).access_token;
  const mode = [
    external ? 'PostgreSQL at BENCH_DATABASE_URL (fresh database)' : 'embedded PostgreSQL',
    config.rabbitmqUrl ? 'RabbitMQ, one worker in the API process' : 'in-process queue, worker in the API process',
  ].join(', ');
  process.send!({ port, token, mode });
  process.on('disconnect', async () => {
    await app.close();
    await embedded?.stop();
    await external?.drop();
    await rm(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
}

void main();
