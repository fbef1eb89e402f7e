import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, RunningProcess, startProcess, waitForReady } from '../test/utils/process';
import { send, sendRaw, type HostileRequest } from '../test/utils/hostile/raw-http';
import { NASTY_BODIES, NASTY_STRINGS } from '../test/utils/hostile/nasty-values';

/**
 * `npm run bench:abuse-memory`: resident memory of `npm start` (the built all-in-one process on
 * embedded defaults, BENCH_NODE_OPTIONS passed as NODE_OPTIONS) before, right after and while idle after a few hundred hostile requests: 15 MB
 * bodies with and without a token, deep nesting, oversized headers, abandoned uploads and the
 * nasty-value table. The baseline is the same process's RSS before the abuse, measured in the
 * same run. BENCH_ABUSE_ROUNDS (default 1) repeats the mix; BENCH_IDLE_S (default 30) is how long
 * the idle figure waits.
 */
const ROUNDS = Number(process.env.BENCH_ABUSE_ROUNDS ?? 1);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 30);
const CONCURRENCY = 8;

interface Target {
  running: RunningProcess;
  port: number;
  token: string;
  dataDir: string;
}

async function start(): Promise<Target> {
  const dataDir = await mkdtemp(join(tmpdir(), 'horizon-bench-abuse-'));
  const port = await freePort();
  const running = startProcess(
    'src/all-in-one.ts',
    {
      PORT: String(port),
      DATA_DIR: dataDir,
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: 'bench-admin-password',
      AUTH_RATE_LIMIT: '100000',
      NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS,
      // glibc allocator tuning, to compare (e.g. MALLOC_ARENA_MAX=2).
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MALLOC_'))),
    },
    { compiled: true },
  );
  await waitForReady(`http://127.0.0.1:${port}/health/ready`, running, 120_000);
  const post = async (path: string, body: object, bearer?: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });
    return (await res.json()) as Record<string, string>;
  };
  const admin = (await post('/api/v1/auth/token', { username: 'admin', password: 'bench-admin-password' })).access_token;
  await post('/api/v1/users', { username: 'bench-user', password: 'bench-user-password' }, admin);
  const token = (await post('/api/v1/auth/token', { username: 'bench-user', password: 'bench-user-password' })).access_token;
  return { running, port, token, dataDir };
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

function bigEcgBody(samples: (i: number) => number, token?: boolean): Buffer {
  // 12 leads × 180,000 samples ≈ 15 MB of JSON, just under the route's 16 MB limit; a 13th lead
  // repeating "I" makes even a well-formed body end in a 422 (nothing is stored).
  const lead = JSON.stringify(Array.from({ length: 180_000 }, (_, i) => samples(i)));
  const names = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
  void token;
  return Buffer.from(`{"date":"2024-05-01T00:00:00Z","leads":[${names.map((n) => `{"name":"${n}","signal":${lead}}`).join(',')},{"name":"I","signal":[1]}]}`);
}

async function abandonUpload(port: number, token: string): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(
    `POST /api/v1/files/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: multipart/form-data; boundary=b\r\n` +
      `Content-Length: 50000000\r\n\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="cut.jsonl"\r\n\r\n`,
  );
  socket.write('{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"partial"}\n'.repeat(20_000));
  await new Promise((resolve) => setTimeout(resolve, 50));
  socket.destroy();
}

async function pool<T>(items: T[], run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await run(items[next++]).catch(() => undefined);
    }),
  );
}

async function main(): Promise<void> {
  const target = await start();
  const { port, token } = target;
  const pid = target.running.child.pid!;
  try {
    const json = (path: string, body: Buffer, auth?: string): HostileRequest => ({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
      body,
    });
    // Warm-up: the ordinary path once, so lazy modules and JIT are not counted as abuse.
    for (let i = 0; i < 20; i += 1) await send(port, { method: 'GET', path: '/api/v1/ecgs', headers: { authorization: `Bearer ${token}` } });
    const before = await rssMiB(pid);

    const bigValidShape = bigEcgBody((i) => (i % 2000) - 1000);
    const big = bigEcgBody((i) => (i % 2 ? 3e9 : 0.5));
    let sent = 0;
    const started = Date.now();
    let peak = before;
    const sampler = setInterval(() => void rssMiB(pid).then((r) => (peak = Math.max(peak, r))), 100);
    for (let round = 0; round < ROUNDS; round += 1) {
      const only = process.env.BENCH_ABUSE_ONLY;
      const mix: Record<string, (() => Promise<unknown>)[]> = {
        anonymousBig: Array.from({ length: 30 }, () => () => send(port, json('/api/v1/ecgs', bigValidShape))),
        invalidBig: Array.from({ length: 30 }, () => () => send(port, json('/api/v1/ecgs', big, token))),
        validShapeBig: Array.from({ length: 20 }, () => () => send(port, json('/api/v1/ecgs', bigValidShape, token))),
        nastyBodies: Array.from({ length: 60 }, (_, i) => () => send(port, json(i % 2 ? '/api/v1/users' : '/api/v1/ecgs', Buffer.from(NASTY_BODIES[i % NASTY_BODIES.length]), token))),
        bigHeaders: Array.from({ length: 60 }, () => () => sendRaw(port, `GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(60_000)}\r\n\r\n`)),
        abandonedUploads: Array.from({ length: 30 }, () => () => abandonUpload(port, token)),
        nastyCursors: NASTY_STRINGS.map((v) => () => send(port, { method: 'GET', path: `/api/v1/jobs?cursor=${encodeURIComponent(v.replace(/[\ud800-\udfff]/g, ''))}`, headers: { authorization: `Bearer ${token}` } })),
      };
      const requests = Object.entries(mix).flatMap(([name, list]) => (!only || only.split(',').includes(name) ? list : []));
      sent += requests.length;
      await pool(requests, (request) => request());
    }
    const after = await rssMiB(pid);
    const abuseS = (Date.now() - started) / 1000;
    const idleStart = Date.now();
    let idleMin = after;
    while (Date.now() - idleStart < IDLE_S * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      idleMin = Math.min(idleMin, await rssMiB(pid));
    }
    clearInterval(sampler);
    const idle = await rssMiB(pid);
    const ready = await send(port, { method: 'GET', path: '/health/ready', headers: {} });
    const f = (n: number) => `${n.toFixed(0)} MiB`;
    console.log(
      `\nabuse-memory: ${sent} hostile requests in ${abuseS.toFixed(1)} s (${CONCURRENCY} at a time); RSS before ${f(before)} (baseline), ` +
        `peak ${f(peak)}, right after ${f(after)}, after ${IDLE_S} s idle ${f(idle)} (lowest ${f(idleMin)}); /health/ready ${ready.status}`,
    );
  } finally {
    await target.running.stop();
    await rm(target.dataDir, { recursive: true, force: true });
  }
}

void main();
