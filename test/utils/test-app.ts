import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { AppConfig } from '../../src/core/config/app-config';
import { configureHttp } from '../../src/core/http/configure-http';
import { startConsumersIn } from '../../src/core/messaging/messaging.server';
import { createTestDatabase } from './test-database';

export const ADMIN = { username: 'admin', password: 'admin-password-1' };

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  http: () => ReturnType<typeof request>;
  /** The database this app uses (for a worker process started beside it). */
  databaseUrl: string;
  tokenFor(username: string, password: string): Promise<string>;
  adminToken(): Promise<string>;
  /** Creates a user through the API and answers its token. */
  createUser(username?: string, password?: string): Promise<{ id: string; token: string; username: string }>;
  close(): Promise<void>;
}

let userCounter = 0;

/**
 * The real application on the embedded defaults (in-process broker, local files), with a
 * database of its own, listening on a free port. `env` overrides settings (e.g. RABBITMQ_URL for
 * the services tests, with `databaseBaseUrl` pointing at the local PostgreSQL).
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: { databaseBaseUrl?: string; withWorker?: boolean; database?: Awaited<ReturnType<typeof createTestDatabase>> } = {},
): Promise<TestApp> {
  // `database`: one the test prepared (e.g. restored from a dump); the app still drops it on close.
  const database = options.database ?? (await createTestDatabase(options.databaseBaseUrl));
  const dataDir = await mkdtemp(join(tmpdir(), 'horizon-e2e-'));
  const config = AppConfig.from({
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    LOG_LEVEL: 'error',
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    AUTH_RATE_LIMIT: '1000',
    ...env,
  });
  const withWorker = options.withWorker ?? true;
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(config, { withWorker })] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: ['error', 'warn'] });
  configureHttp(app, config);
  if (withWorker) await startConsumersIn(app);
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer();
  const http = () => request(server);

  const tokenFor = async (username: string, password: string) => {
    const res = await http().post('/api/v1/auth/token').send({ username, password }).expect(200);
    return res.body.access_token as string;
  };
  const adminToken = () => tokenFor(ADMIN.username, ADMIN.password);

  return {
    app,
    config,
    http,
    databaseUrl: database.url,
    tokenFor,
    adminToken,
    createUser: async (username = `user${++userCounter}_${process.pid}`, password = 'user-password-1') => {
      const res = await http()
        .post('/api/v1/users')
        .set('authorization', `Bearer ${await adminToken()}`)
        .send({ username, password })
        .expect(201);
      return { id: res.body.id, username, token: await tokenFor(username, password) };
    },
    close: async () => {
      await app.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
