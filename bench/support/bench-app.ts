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
import { startConsumersIn } from '../../src/core/messaging/messaging.server';
import { createTestDatabase } from '../../test/utils/test-database';

export interface BenchApp {
  app: NestExpressApplication;
  config: AppConfig;
  port: number;
  base: string;
  /** A token of a plain user created for the run. */
  token: string;
  /** Where the database is, for the benchmark's own report. */
  database: 'embedded PostgreSQL' | 'PostgreSQL at BENCH_DATABASE_URL (fresh database)';
  close(): Promise<void>;
}

/**
 * The app as `npm start` runs it (API and worker in one process), for a benchmark's child
 * process: embedded PostgreSQL, or a fresh database on BENCH_DATABASE_URL; RabbitMQ when
 * BENCH_RABBITMQ_URL is set. Creates a user and logs it in.
 */
export async function startBenchApp(name: string, env: Record<string, string> = {}): Promise<BenchApp> {
  const dataDir = await mkdtemp(join(tmpdir(), `horizon-bench-${name}-`));
  const external = process.env.BENCH_DATABASE_URL ? await createTestDatabase(process.env.BENCH_DATABASE_URL) : undefined;
  const embedded = external ? undefined : await startEmbeddedPostgres(join(dataDir, 'pg'));
  const config = AppConfig.from({
    DATA_DIR: dataDir,
    DATABASE_URL: external?.url ?? embedded!.url,
    ...(process.env.BENCH_RABBITMQ_URL ? { RABBITMQ_URL: process.env.BENCH_RABBITMQ_URL } : {}),
    LOG_LEVEL: 'warn',
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'bench-admin-password',
    ...env,
  });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, { withWorker: true }), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  configureHttp(app, config);
  await startConsumersIn(app);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;
  const post = async (path: string, body: object, bearer?: string) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });
    return (await res.json()) as Record<string, string>;
  };
  const admin = (await post('/api/v1/auth/token', { username: 'admin', password: 'bench-admin-password' })).access_token;
  await post('/api/v1/users', { username: 'bench-user', password: 'bench-user-password' }, admin);
  const token = (await post('/api/v1/auth/token', { username: 'bench-user', password: 'bench-user-password' })).access_token;
  return {
    app,
    config,
    port,
    base,
    token,
    database: external ? 'PostgreSQL at BENCH_DATABASE_URL (fresh database)' : 'embedded PostgreSQL',
    close: async () => {
      await app.close();
      await embedded?.stop();
      await external?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Closes the app when the benchmark parent disconnects (it is done, or it died). */
export function closeOnDisconnect(bench: BenchApp): void {
  process.on('disconnect', async () => {
    await bench.close();
    process.exit(0);
  });
}
