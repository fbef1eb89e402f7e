import 'reflect-metadata';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../../src/app.module';
import { AppConfig } from '../../src/core/config/app-config';
import { startEmbeddedPostgres } from '../../src/core/database/embedded-postgres';
import { configureHttp } from '../../src/core/http/configure-http';

/**
 * Runs one benchmark target in its own process (so the load generator does not share its
 * event loop) and reports `{port, token?, body}` over IPC.
 *   horizon: the real app on the embedded defaults, with a user and its token
 *   bare:    node:http answering the same JSON the app answers for /users/me
 */
async function main(): Promise<void> {
  const [kind, bodyJson] = process.argv.slice(2);
  if (kind === 'bare') {
    const body = bodyJson ?? '{}';
    const server = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
    return;
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'horizon-bench-'));
  const database = process.env.BENCH_DATABASE_URL ? undefined : await startEmbeddedPostgres(join(dataDir, 'pg'));
  const config = AppConfig.from({
    DATA_DIR: dataDir,
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? database!.url,
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
  const body = await (await fetch(`${base}/api/v1/users/me`, { headers: { authorization: `Bearer ${token}` } })).text();
  process.send!({ port, token, body });
  process.on('disconnect', async () => {
    await app.close();
    await database?.stop();
    await rm(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
}

void main();
