import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatusClient, StatusWebSocket, until } from '../utils/realtime-clients';
import { freePort, startProcess, startWorkerProcess, waitForReady, type RunningProcess } from '../utils/process';
import { createTestVhost, SERVICES } from '../utils/services-env';
import { createTestDatabase } from '../utils/test-database';

const ADMIN = { username: 'admin', password: 'admin-password-1' };

/**
 * `npm run start:api` twice and `npm run start:worker` once, as production runs them: a client
 * connected to one gateway sees the events of work submitted through the other and done by the
 * worker, because every gateway binds its own queue to the status exchange.
 */
describe('realtime status fanned out across gateways through RabbitMQ', () => {
  let vhost: ReturnType<typeof createTestVhost>;
  let vhostName: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDir: string;
  let gatewayA: { run: RunningProcess; url: string };
  let gatewayB: { run: RunningProcess; url: string };
  let worker: RunningProcess | undefined;
  let token: string;
  const clients: { close(): void }[] = [];

  const env = (extra: Record<string, string>) => ({
    DATABASE_URL: database.url,
    RABBITMQ_URL: vhost.url,
    JWT_SECRET: 'realtime-services-test-secret-0123456789',
    DATA_DIR: dataDir,
    ...extra,
  });
  const startGateway = async (extra: Record<string, string> = {}) => {
    const port = await freePort();
    const run = startProcess('src/main.ts', env({ PORT: String(port), ...extra }));
    const url = `http://127.0.0.1:${port}`;
    await waitForReady(`${url}/health/ready`, run);
    return { run, url };
  };
  const startWorker = () => startWorkerProcess(env({}));
  const post = async (url: string, body: object, bearer?: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };
  const submitThroughA = async (id: string) => {
    const res = await post(`${gatewayA.url}/api/v1/ecgs`, { id, date: '2025-11-22T10:15:00Z', leads: [{ name: 'I', signal: [1, -1, 1, -1] }] }, token);
    expect(res.status).toBe(202);
  };
  const rabbitmqctl = (...args: string[]) => execFileSync('rabbitmqctl', ['-q', ...args], { encoding: 'utf8' });
  /** The queues bound to the status exchange: one per gateway process. */
  const statusQueues = () =>
    rabbitmqctl('list_bindings', '-p', vhostName, '--no-table-headers', 'source_name', 'destination_name')
      .split('\n')
      .map((line) => line.split('\t'))
      .filter(([source]) => source === 'horizon.status')
      .map(([, queue]) => queue)
      .sort();

  beforeAll(async () => {
    vhost = createTestVhost();
    vhostName = decodeURIComponent(new URL(vhost.url).pathname.slice(1));
    database = await createTestDatabase(SERVICES.databaseUrl);
    dataDir = await mkdtemp(join(tmpdir(), 'horizon-realtime-'));
    // One after the other: the first migrates the database and creates the admin.
    gatewayA = await startGateway({ ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    gatewayB = await startGateway();
    const admin = (await post(`${gatewayA.url}/api/v1/auth/token`, ADMIN)).body.access_token;
    expect((await post(`${gatewayA.url}/api/v1/users`, { username: 'watcher', password: 'watcher-password-1' }, admin)).status).toBe(201);
    token = (await post(`${gatewayB.url}/api/v1/auth/token`, { username: 'watcher', password: 'watcher-password-1' })).body.access_token;
  }, 120_000);
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    if (worker) expect(await worker.stop()).toBe(0);
    worker = undefined;
  });
  afterAll(async () => {
    await Promise.all([gatewayA?.run.stop(), gatewayB?.run.stop(), worker?.stop()]);
    await database?.drop();
    vhost?.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers every event of an ECG submitted through gateway A and analysed by the worker to a client on gateway B', async () => {
    // No worker yet: the ECG waits in its queue while the clients subscribe.
    await submitThroughA('fan-out');
    const onB = await StatusClient.connect(gatewayB.url, token);
    clients.push(onB);
    expect(await onB.subscribe('ecg', 'fan-out')).toEqual({ ok: true, snapshot: expect.objectContaining({ status: 'queued' }) });
    const wsOnA = new StatusWebSocket(gatewayA.url, `/ws/ecgs/fan-out?access_token=${token}`);
    clients.push(wsOnA);
    await until(() => wsOnA.messages.length === 1, 'the WebSocket snapshot on gateway A');
    expect(statusQueues()).toHaveLength(2);

    worker = await startWorker();

    await onB.waitFor('ecg', 'fan-out', (e) => e.status === 'completed', 'the completed event on gateway B', 30_000);
    expect(onB.of('ecg', 'fan-out').map((e) => e.status)).toEqual(['processing', 'completed']);
    expect(await wsOnA.closed).toEqual({ code: 1000, reason: 'completed' });
    expect(wsOnA.messages.map((m) => m.status)).toEqual(['queued', 'processing', 'completed']);
    // The worker publishes but never binds a queue of its own: still one per gateway.
    expect(statusQueues()).toHaveLength(2);
  });

  it('delivers every event of a job uploaded through gateway A to a client on gateway B, in order', async () => {
    const lines = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify({ timestamp: '2026-11-22T10:00:00Z', level: 'INFO', message: `line ${i + 1}` }),
    ).join('\n');
    const form = new FormData();
    form.append('file', new Blob([lines]), 'fan-out.jsonl');
    const uploaded = await fetch(`${gatewayA.url}/api/v1/files/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(uploaded.status).toBe(202);
    const { job_id: jobId } = (await uploaded.json()) as { job_id: string };
    const onB = await StatusClient.connect(gatewayB.url, token);
    clients.push(onB);
    expect(await onB.subscribe('job', jobId)).toEqual({ ok: true, snapshot: expect.objectContaining({ status: 'queued' }) });

    worker = await startWorker();

    const done = await onB.waitFor('job', jobId, (e) => e.status === 'completed', 'the completed job event on gateway B', 30_000);
    expect(done).toMatchObject({ progress: 100, counts: { entries_ingested: 30 } });
    const events = onB.of('job', jobId);
    expect(events[0].status).toBe('processing');
    const progress = events.map((e) => e.progress ?? 0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('binds a new queue after the broker drops a gateway connection, and keeps delivering', async () => {
    const before = statusQueues();
    const connections = rabbitmqctl('list_connections', '-p', vhostName, '--no-table-headers', 'pid', 'client_properties')
      .split('\n')
      .filter((line) => line.includes(`"horizon broadcast ${hostname()}:${gatewayB.run.child.pid}"`))
      .map((line) => line.split('\t')[0]);
    expect(connections).toHaveLength(1);

    rabbitmqctl('close_connection', connections[0], 'test: the broker drops the connection');

    await until(() => {
      const now = statusQueues();
      return now.length === 2 && now.some((queue) => !before.includes(queue));
    }, 'gateway B to bind a new queue', 20_000);
    await submitThroughA('after-drop');
    const onB = await StatusClient.connect(gatewayB.url, token);
    clients.push(onB);
    await onB.subscribe('ecg', 'after-drop');
    worker = await startWorker();
    await onB.waitFor('ecg', 'after-drop', (e) => e.status === 'completed', 'the completed event on gateway B', 30_000);
    expect(onB.of('ecg', 'after-drop').map((e) => e.status)).toEqual(['processing', 'completed']);
  });

  it('stops a gateway cleanly on SIGTERM with clients connected: 1001 for the WebSocket, exit 0', async () => {
    await submitThroughA('at-shutdown');
    const socket = await StatusClient.connect(gatewayB.url, token);
    clients.push(socket);
    await socket.subscribe('ecg', 'at-shutdown');
    const ws = new StatusWebSocket(gatewayB.url, `/ws/ecgs/at-shutdown?access_token=${token}`);
    clients.push(ws);
    await until(() => ws.messages.length === 1, 'the WebSocket snapshot');

    expect(await gatewayB.run.stop()).toBe(0);

    expect((await ws.closed).code).toBe(1001);
    await until(() => socket.disconnectReason !== undefined, 'the Socket.IO disconnect');
    expect(statusQueues()).toHaveLength(1); // B's queue went with its connection
  });
});
