import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, waitForReady } from '../utils/process';

/** The entry points as a user runs them: real processes, real signals, real embedded database. */
describe('processes', () => {
  it('stops start-up with one message naming every bad setting', async () => {
    const run = startProcess('src/main.ts', { PORT: 'abc', WORKER_PREFETCH: '0' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/Invalid settings:\n\s+- PORT: .*\(got "abc"\)\n\s+- WORKER_PREFETCH: /);
  });

  it('refuses split mode without a shared database and broker', async () => {
    const run = startProcess('src/worker.ts', {});
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/DATABASE_URL and RABBITMQ_URL: required for "worker" mode/);
  });

  it('refuses production without a secret, a database and a broker', async () => {
    const run = startProcess('src/main.ts', { NODE_ENV: 'production' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/JWT_SECRET: required when NODE_ENV=production/);
  });

  describe('npm start on a bare machine', () => {
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'horizon-embedded-'));
    });
    afterAll(() => rm(dataDir, { recursive: true, force: true }));

    const boot = async () => {
      const port = await freePort();
      const env = { DATA_DIR: join(dataDir, 'data'), PORT: String(port), ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: 'admin-password-1' };
      const run = startProcess('src/all-in-one.ts', env);
      await waitForReady(`http://127.0.0.1:${port}/health/ready`, run);
      const api = (path: string, body?: object, token?: string) =>
        fetch(`http://127.0.0.1:${port}${path}`, {
          method: body ? 'POST' : 'GET',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        });
      return { run, api };
    };

    it('serves, keeps its data across a restart and stops cleanly on SIGTERM', async () => {
      const first = await boot();
      const admin = (await (await first.api('/api/v1/auth/token', { username: 'admin', password: 'admin-password-1' })).json()) as {
        access_token: string;
      };
      const created = await first.api('/api/v1/users', { username: 'kept', password: 'kept-password-1' }, admin.access_token);
      expect(created.status).toBe(201);
      expect(await first.run.stop()).toBe(0);

      const second = await boot();
      const login = await second.api('/api/v1/auth/token', { username: 'kept', password: 'kept-password-1' });
      expect(login.status).toBe(200);
      // The generated JWT secret is kept too: a token from the first run is still valid.
      const me = await second.api('/api/v1/users/me', undefined, admin.access_token);
      expect(me.status).toBe(200);
      expect(await second.run.stop()).toBe(0);
    }, 120_000);
  });
});
