import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRINCIPAL_CACHE_MS } from '../../src/modules/auth/token.service';
import { poll } from '../utils/poll';
import { StatusClient, StatusWebSocket, until } from '../utils/realtime-clients';
import { freePort, startProcess, waitForReady, type RunningProcess } from '../utils/process';
import { createTestVhost, SERVICES } from '../utils/services-env';
import { createTestDatabase } from '../utils/test-database';

const ADMIN = { username: 'admin', password: 'admin-password-1' };
const USER = { username: 'watcher', password: 'watcher-password-1' };

/**
 * `npm run start:api` twice on real RabbitMQ and PostgreSQL: a token revoked through one gateway
 * is refused by the other at once, although that one had it in its 5 s principal cache, and the
 * Socket.IO and WebSocket connections it opened there close. The revocation travels on the
 * `horizon.revocations` fanout exchange, one queue per gateway.
 */
describe('token revocation reaches every gateway through RabbitMQ', () => {
  let vhost: ReturnType<typeof createTestVhost>;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDir: string;
  let gatewayA: { run: RunningProcess; url: string };
  let gatewayB: { run: RunningProcess; url: string };
  let admin: string;
  let userId: string;
  const clients: { close(): void }[] = [];

  const startGateway = async (extra: Record<string, string> = {}) => {
    const port = await freePort();
    const run = startProcess('src/main.ts', {
      DATABASE_URL: database.url,
      RABBITMQ_URL: vhost.url,
      JWT_SECRET: 'revocation-services-test-secret-0123456789',
      DATA_DIR: dataDir,
      PORT: String(port),
      ...extra,
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForReady(`${url}/health/ready`, run);
    return { run, url };
  };
  const call = async (method: string, url: string, bearer?: string, body?: object) => {
    const res = await fetch(url, {
      method,
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, string> };
  };
  const login = async (url: string) => (await call('POST', `${url}/api/v1/auth/token`, undefined, USER)).body.access_token;
  const meStatus = async (url: string, token: string) => (await call('GET', `${url}/api/v1/users/me`, token)).status;
  /** Well inside the principal cache's lifetime: only the fan-out can make the other gateway refuse the token this soon. */
  const refusedSoon = (url: string, token: string, what: string) =>
    poll(() => meStatus(url, token), (status) => status === 401, what, { timeoutMs: PRINCIPAL_CACHE_MS / 5, intervalMs: 10 });
  const revocationQueues = () =>
    execFileSync('rabbitmqctl', ['-q', 'list_bindings', '-p', vhost.name, '--no-table-headers', 'source_name', 'destination_name'], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.split('\t'))
      .filter(([source]) => source === 'horizon.revocations');

  beforeAll(async () => {
    vhost = createTestVhost();
    database = await createTestDatabase(SERVICES.databaseUrl);
    dataDir = await mkdtemp(join(tmpdir(), 'horizon-revocation-'));
    gatewayA = await startGateway({ ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    gatewayB = await startGateway();
    admin = (await call('POST', `${gatewayA.url}/api/v1/auth/token`, undefined, ADMIN)).body.access_token;
    const created = await call('POST', `${gatewayA.url}/api/v1/users`, admin, USER);
    expect(created.status).toBe(201);
    userId = created.body.id;
    // An ECG that stays queued (no worker runs): the WebSocket route needs a resource to watch.
    const ecg = await call('POST', `${gatewayA.url}/api/v1/ecgs`, await login(gatewayA.url), { id: 'watched', date: '2025-11-22T10:15:00Z', leads: [{ name: 'I', signal: [1, -1, 1] }] });
    expect(ecg.status).toBe(202);
  }, 120_000);
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await Promise.all([gatewayA?.run.stop(), gatewayB?.run.stop()]);
    await database?.drop();
    vhost?.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('binds one revocations queue per gateway', () => {
    expect(revocationQueues()).toHaveLength(2);
  });

  it('logout on gateway A: gateway B refuses the token at once, its sockets close there; the user\'s other token lives on', async () => {
    const token = await login(gatewayB.url);
    const other = await login(gatewayB.url);
    expect(await meStatus(gatewayB.url, token)).toBe(200); // now in B's principal cache
    const ioOnB = await StatusClient.connect(gatewayB.url, token);
    const otherOnB = await StatusClient.connect(gatewayB.url, other);
    const wsOnB = new StatusWebSocket(gatewayB.url, `/ws/ecgs/watched?access_token=${token}`);
    clients.push(ioOnB, otherOnB, wsOnB);
    await until(() => wsOnB.messages.length === 1, 'the WebSocket snapshot on B');

    expect((await call('POST', `${gatewayA.url}/api/v1/auth/logout`, token)).status).toBe(204);

    await refusedSoon(gatewayB.url, token, 'gateway B refuses the logged-out token');
    expect(await wsOnB.closed).toEqual({ code: 4401, reason: 'The token was revoked.' });
    await until(() => ioOnB.disconnectReason !== undefined, 'the Socket.IO disconnect on B', 5_000);
    expect(ioOnB.disconnectReason).toBe('io server disconnect');
    expect(otherOnB.socket.connected).toBe(true);
    expect(await meStatus(gatewayB.url, other)).toBe(200);
  });

  it('an admin disables the user on gateway B: gateway A refuses every token of theirs and closes their sockets', async () => {
    const token = await login(gatewayA.url);
    expect(await meStatus(gatewayA.url, token)).toBe(200);
    const ioOnA = await StatusClient.connect(gatewayA.url, token);
    const wsOnA = new StatusWebSocket(gatewayA.url, `/ws/ecgs/watched?access_token=${token}`);
    clients.push(ioOnA, wsOnA);
    await until(() => wsOnA.messages.length === 1, 'the WebSocket snapshot on A');

    expect((await call('PATCH', `${gatewayB.url}/api/v1/users/${userId}`, admin, { disabled: true })).status).toBe(200);

    await refusedSoon(gatewayA.url, token, 'gateway A refuses the disabled user\'s token');
    expect((await wsOnA.closed).code).toBe(4401);
    await until(() => ioOnA.disconnectReason !== undefined, 'the Socket.IO disconnect on A', 5_000);
    const refused = await call('POST', `${gatewayA.url}/api/v1/auth/token`, undefined, USER);
    expect([refused.status, refused.body.code]).toEqual([401, 'ACCOUNT_DISABLED']);
  });

  it('login throttling is shared: failures counted on A hold the username back on B', async () => {
    for (let i = 0; i < 5; i++) {
      const url = i % 2 === 0 ? gatewayA.url : gatewayB.url;
      expect((await call('POST', `${url}/api/v1/auth/token`, undefined, { username: 'someone', password: 'wrong-password' })).status).toBe(401);
    }
    const res = await fetch(`${gatewayB.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'someone', password: 'wrong-password' }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
