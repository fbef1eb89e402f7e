import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Server } from 'socket.io';
import { AppModule } from '../../src/app.module';
import { AppConfig } from '../../src/core/config/app-config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/core/database/embedded-postgres';
import { configureHttp } from '../../src/core/http/configure-http';
import { startConsumersIn } from '../../src/core/messaging/messaging.server';
import { StatusEventPublisher, type StatusSnapshot } from '../../src/core/realtime/status-event';
import { EcgAnalysisService } from '../../src/modules/ecg/ecg-analysis.service';
import { createTestDatabase as freshDatabase } from '../../test/utils/test-database';

/**
 * The servers under `npm run bench:realtime`, each in its own process so that the 1,000 clients do
 * not share their event loop. Over IPC each reports `{port, token?, id}` once listening, then
 * answers `{publish: {count, intervalMs}}` with `{published}` after publishing `count` status
 * events, each carrying its send time in `counts.t` (epoch ms, sub-millisecond).
 *
 *   baseline           a bare Socket.IO server: `io.to(room).emit` of the same event, no Horizon
 *   horizon            the app (API + in-process worker), events published through StatusEventPublisher
 *   horizon-gateway    the app as a second gateway only (needs DATABASE_URL, RABBITMQ_URL from the first)
 *
 * The ECG the clients watch is held in `queued` (its analysis waits) so that it stays a running
 * resource; it is released, and so completed, when the target stops.
 */
const JWT_SECRET = 'realtime-bench-secret-0123456789abcdef';
const ECG_ID = 'bench-ecg';

type Publish = { publish: { count: number; intervalMs: number } };

function now(): number {
  return performance.timeOrigin + performance.now();
}

async function publishing(count: number, intervalMs: number, publishOne: (seq: number) => Promise<void> | void): Promise<void> {
  const started = now();
  for (let seq = 0; seq < count; seq++) {
    // Paced on the schedule, not after each publish, so a slow publish does not lower the rate.
    const wait = started + seq * intervalMs - now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await publishOne(seq);
  }
}

function onPublish(publish: (count: number, intervalMs: number) => Promise<void>, stop: () => Promise<void>): void {
  process.on('message', (m: Publish) => {
    void publish(m.publish.count, m.publish.intervalMs).then(() => process.send!({ published: m.publish.count }));
  });
  process.on('disconnect', () => void stop().then(() => process.exit(0)));
}

async function baseline(): Promise<void> {
  const http = createServer();
  const io = new Server(http, { serveClient: false });
  io.on('connection', (socket) => {
    socket.on('subscribe', (request: { id: string }, ack: (a: unknown) => void) => {
      void socket.join(`ecg:${request.id}`);
      ack({ ok: true });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  let progress = 0;
  onPublish(
    (count, intervalMs) =>
      publishing(count, intervalMs, (seq) => {
        const event: StatusSnapshot = {
          type: 'status',
          resource: 'ecg',
          id: ECG_ID,
          status: 'processing',
          progress: ++progress,
          counts: { seq, t: now() },
          at: new Date().toISOString(),
        };
        io.to(`ecg:${ECG_ID}`).emit('status', event);
      }),
    async () => void io.close(),
  );
  process.send!({ port: (http.address() as { port: number }).port, id: ECG_ID });
}

async function horizon(role: 'horizon' | 'horizon-gateway'): Promise<void> {
  const first = role === 'horizon';
  const dataDir = await mkdtemp(join(tmpdir(), 'horizon-bench-realtime-'));
  // The first target owns the database: a fresh one on BENCH_DATABASE_URL, or an embedded one;
  // a second gateway gets its URL from the bench.
  const external = first && process.env.BENCH_DATABASE_URL ? await freshDatabase(process.env.BENCH_DATABASE_URL) : undefined;
  let embedded: EmbeddedDatabase | undefined;
  if (first && !external) embedded = await startEmbeddedPostgres(join(dataDir, 'pg'));
  const databaseUrl = external?.url ?? embedded?.url ?? process.env.TARGET_DATABASE_URL!;
  const config = AppConfig.from({
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    ...(process.env.BENCH_RABBITMQ_URL ? { RABBITMQ_URL: process.env.BENCH_RABBITMQ_URL } : {}),
    JWT_SECRET,
    LOG_LEVEL: 'warn',
    ...(first ? { ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: 'bench-admin-password' } : {}),
  });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, { withWorker: first }), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  configureHttp(app, config);

  let release = () => undefined as void;
  if (first) {
    const analysis = app.get(EcgAnalysisService);
    const analyse = analysis.analyse.bind(analysis);
    const gate = new Promise<void>((resolve) => (release = resolve));
    analysis.analyse = async (run) => {
      await gate;
      return analyse(run);
    };
  }
  if (first) await startConsumersIn(app);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;

  let token: string | undefined;
  if (first) {
    const base = `http://127.0.0.1:${port}/api/v1`;
    const post = async (path: string, body: object, bearer?: string) => {
      const res = await fetch(base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, string>;
    };
    const admin = (await post('/auth/token', { username: 'admin', password: 'bench-admin-password' })).access_token;
    await post('/users', { username: 'bench-user', password: 'bench-user-password' }, admin);
    token = (await post('/auth/token', { username: 'bench-user', password: 'bench-user-password' })).access_token;
    await post('/ecgs', { id: ECG_ID, date: '2026-11-22T10:00:00Z', leads: [{ name: 'I', signal: [1, -1, 1, -1] }] }, token);
  }
  const owner = token ? (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub: string }).sub : '';
  const publisher = app.get(StatusEventPublisher);
  let progress = 0;
  onPublish(
    (count, intervalMs) =>
      publishing(count, intervalMs, (seq) =>
        publisher.publish({ resource: 'ecg', id: ECG_ID, owner, status: 'processing', progress: ++progress, counts: { seq, t: now() } }),
      ),
    async () => {
      release();
      await app.close();
      await embedded?.stop();
      await external?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  );
  process.send!({ port, token, id: ECG_ID, databaseUrl });
}

const role = process.argv[2];
(role === 'baseline' ? baseline() : horizon(role as 'horizon' | 'horizon-gateway')).catch((error) => {
  console.error(error);
  process.exit(1);
});
