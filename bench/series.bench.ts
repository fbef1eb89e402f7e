import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { startEmbeddedPostgres } from '../src/core/database/embedded-postgres';
import { BenchRow, reportRows } from './support/report';
import { createTestDatabase } from '../test/utils/test-database';
import { freePort, RunningProcess, startProcess, waitForReady } from '../test/utils/process';

/**
 * `npm run bench:series`: the app as `npm start` runs it (compiled, API and worker in one process,
 * PostgreSQL embedded or a fresh database on BENCH_DATABASE_URL), one user, and per route p50/p99
 * over BENCH_REQUESTS (20) requests at concurrency 1 and 8, on a 1,000,000-point series (uniform
 * form) and a 100,000-point series (points form).
 * Floors measured in the same run: a bare node:http server answering the same bytes from memory
 * (or swallowing the same request body, for the store), and a raw `SELECT` of the bytea columns
 * through node-postgres. The table prints each route's ratio to its floor.
 */
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20);
const LARGE = Number(process.env.BENCH_LARGE_POINTS ?? 1_000_000);
const SMALL = Number(process.env.BENCH_SMALL_POINTS ?? 100_000);
/** BENCH_SERIES_QUICK=1: only what the issue's targets read (1M store, first JSON read, binary read and its floors) at concurrency 1. */
const QUICK = process.env.BENCH_SERIES_QUICK === '1';
const CONCURRENCIES = QUICK ? [1] : [1, 8];
const TARGET_ROUTES = new Set(['GET /series/{id} (binary)']);
const T0 = Date.UTC(2025, 10, 22);

interface Reply {
  status: number;
  bytes: number;
  body?: Buffer;
}

/** One HTTP request with node:http (keep-alive agent off: each request pays its connection, as a fresh client would). */
function send(port: number, method: string, path: string, headers: Record<string, string>, body?: Buffer, keep = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: body ? { ...headers, 'content-length': String(body.length) } : headers }, (res) => {
      let bytes = 0;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (keep) chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode!, bytes, body: keep ? Buffer.concat(chunks) : undefined }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Timing {
  p50: number;
  p99: number;
  bytes: number;
}

/** `count` calls of `once`, `concurrency` at a time, after one untimed warm-up call. */
async function measure(concurrency: number, count: number, once: (i: number) => Promise<number>): Promise<Timing> {
  const bytes = await once(-1);
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const started = performance.now();
        await once(i);
        times.push(performance.now() - started);
      }
    }),
  );
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), bytes };
}

function uniformBody(n: number): Buffer {
  // Full-precision doubles (17 significant digits), as a sensor export would have them.
  let seed = 42;
  const values = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    values[i] = Math.sin((2 * Math.PI * 50 * i) / 1000) * 3.3 + (seed / 2 ** 31 - 0.5) * 0.2;
  }
  return Buffer.from(JSON.stringify({ name: 'bench-uniform', unit: 'g', start: new Date(T0).toISOString(), sampling_rate_hz: 1000, values }));
}

function pointsBody(n: number): Buffer {
  const points = Array.from({ length: n }, (_, i) => ({ timestamp: new Date(T0 + i * 10 + (i % 7)).toISOString(), value: Math.sin(i / 100) * 10 + (i % 13) / 7 }));
  return Buffer.from(JSON.stringify({ name: 'bench-points', unit: 'C', points }));
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'horizon-bench-series-'));
  const embedded = process.env.BENCH_DATABASE_URL ? undefined : await startEmbeddedPostgres(join(dir, 'pg'));
  const scratch = process.env.BENCH_DATABASE_URL ? await createTestDatabase(process.env.BENCH_DATABASE_URL) : undefined;
  const databaseUrl = scratch?.url ?? embedded!.url;
  let app: RunningProcess | undefined;
  const floor = fork(join(__dirname, 'support', 'bare-server.ts'), [dir], { execArgv: ['-r', 'ts-node/register/transpile-only'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // As many connections as requests in flight, like the app's own pool.
  const db = new Pool({ connectionString: databaseUrl, max: Math.max(...CONCURRENCIES) });
  try {
    const port = await freePort();
    app = startProcess(
      'src/all-in-one.ts',
      {
        DATABASE_URL: databaseUrl,
        DATA_DIR: join(dir, 'data'),
        PORT: String(port),
        JWT_SECRET: 'bench-secret-of-at-least-thirty-two-chars',
        ADMIN_USERNAME: 'admin',
        ADMIN_PASSWORD: 'bench-admin-password',
        LOG_LEVEL: 'warn',
        NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS,
      },
      { compiled: true },
    );
    await waitForReady(`http://127.0.0.1:${port}/health/ready`, app, 120_000);
    const floorPort = await new Promise<number>((resolve) => floor.once('message', (m: { port: number }) => resolve(m.port)));

    const json = { 'content-type': 'application/json' };
    const post = async (path: string, body: object, token?: string) =>
      JSON.parse((await send(port, 'POST', path, { ...json, ...(token ? { authorization: `Bearer ${token}` } : {}) }, Buffer.from(JSON.stringify(body)), true)).body!.toString());
    const admin = (await post('/api/v1/auth/token', { username: 'admin', password: 'bench-admin-password' })).access_token;
    await post('/api/v1/users', { username: 'bench-user', password: 'bench-user-password' }, admin);
    const token = (await post('/api/v1/auth/token', { username: 'bench-user', password: 'bench-user-password' })).access_token as string;
    const auth = { authorization: `Bearer ${token}` };

    const rows: string[][] = [];
    // Concurrency-1 timings of the large series, for the issue's targets: route (or floor) -> timing.
    const large = new Map<string, Timing>();
    const row = (route: string, series: string, c: number, t: Timing, floorT?: Timing, note = ''): void => {
      if (c === 1 && series === `${LARGE / 1e6}M uniform`) {
        large.set(route, t);
        if (floorT) large.set(`floor of ${route}`, floorT);
      }
      rows.push([route, series, String(c), t.p50.toFixed(1), t.p99.toFixed(1), formatBytes(t.bytes), floorT ? floorT.p99.toFixed(1) : '', floorT ? `${(t.p99 / floorT.p99).toFixed(1)}×` : '', note]);
      console.log(`  ${route} [${series}] c=${c}: p50 ${t.p50.toFixed(1)} ms, p99 ${t.p99.toFixed(1)} ms`);
    };

    const datasets = [
      { label: `${LARGE / 1e6}M uniform`, body: uniformBody(LARGE) },
      ...(QUICK ? [] : [{ label: `${SMALL / 1e3}k points`, body: pointsBody(SMALL) }]),
    ];
    for (const { label, body } of datasets) {
      console.log(`${label}: store body ${formatBytes(body.length)}`);
      const stored: string[] = [];
      for (const c of CONCURRENCIES) {
        const t = await measure(c, REQUESTS, async () => {
          const reply = await send(port, 'POST', '/api/v1/series', { ...json, ...auth }, body, true);
          if (reply.status !== 201) throw new Error(`store: ${reply.status} ${reply.body}`);
          stored.push(JSON.parse(reply.body!.toString()).id);
          return reply.bytes;
        });
        const f = await measure(c, REQUESTS, async () => (await send(floorPort, 'POST', '/', json, body)).bytes);
        row('POST /series', label, c, t, f, `body ${formatBytes(body.length)}`);
        // The first full read of each series just stored: nothing cached yet (see EncodedPointsCache).
        const fresh = stored.slice(-(REQUESTS + 1));
        const cold = await measure(c, REQUESTS, async (i) => {
          const reply = await send(port, 'GET', `/api/v1/series/${fresh[i + 1]}`, auth);
          if (reply.status !== 200) throw new Error(`first read: ${reply.status}`);
          return reply.bytes;
        });
        row('GET /series/{id} (JSON, first read)', label, c, cold, undefined, 'cold: formatted, not cached');
        // Keep one series to read; the others only cost disk.
        for (const id of stored.splice(1)) await send(port, 'DELETE', `/api/v1/series/${id}`, auth);
      }
      const id = stored[0];

      const routes: [string, string, Record<string, string>][] = [
        ['GET /series/{id}/metrics', `/api/v1/series/${id}/metrics`, {}],
        ['GET /series/{id} (JSON, repeated)', `/api/v1/series/${id}`, {}],
        ['GET /series/{id} (CSV, repeated)', `/api/v1/series/${id}`, { accept: 'text/csv' }],
        ['GET /series/{id} (binary)', `/api/v1/series/${id}`, { accept: 'application/octet-stream' }],
        ['GET /series/{id}?max_points=2000', `/api/v1/series/${id}?max_points=2000`, {}],
        ['GET /series/{id}/forecast?horizon=100', `/api/v1/series/${id}/forecast?horizon=100&method=auto`, {}],
        ['GET /series/count', '/api/v1/series/count', {}],
        ['GET /series', '/api/v1/series', {}],
      ];
      for (const [name, path, headers] of routes.filter(([name]) => !QUICK || TARGET_ROUTES.has(name))) {
        // The floor answers exactly these bytes.
        const sample = await send(port, 'GET', path, { ...auth, ...headers }, undefined, true);
        if (sample.status !== 200) throw new Error(`${name}: ${sample.status} ${sample.body}`);
        const file = `r${rows.length}`;
        await writeFile(join(dir, file), sample.body!);
        await writeFile(join(dir, `${file}.type`), headers.accept ?? 'application/json');
        for (const c of CONCURRENCIES) {
          const t = await measure(c, REQUESTS, async () => {
            const reply = await send(port, 'GET', path, { ...auth, ...headers });
            if (reply.status !== 200) throw new Error(`${name}: ${reply.status}`);
            return reply.bytes;
          });
          const f = await measure(c, REQUESTS, async () => (await send(floorPort, 'GET', `/${file}`, {})).bytes);
          row(name, label, c, t, f);
        }
      }
      for (const c of CONCURRENCIES) {
        const t = await measure(c, REQUESTS, async () => {
          const result = await db.query('SELECT values_f64, timestamps_f64 FROM series WHERE id = $1', [id]);
          return (result.rows[0].values_f64 as Buffer).length + ((result.rows[0].timestamps_f64 as Buffer | null)?.length ?? 0);
        });
        row('floor: raw SELECT of the bytea', label, c, t, undefined, 'node-postgres pool');
      }
      for (const c of CONCURRENCIES) {
        // What the app's reads use instead (see SeriesRepository.loadSamples).
        const t = await measure(c, REQUESTS, async () => {
          const client = await db.connect();
          try {
            let bytes = 0;
            for await (const chunk of client.query(copyTo(`COPY (SELECT values_f64, timestamps_f64 FROM series WHERE id = '${id}') TO STDOUT (FORMAT binary)`))) bytes += (chunk as Buffer).length;
            return bytes;
          } finally {
            client.release();
          }
        });
        row('floor: raw binary COPY of the bytea', label, c, t, undefined, 'node-postgres pool');
      }
      if (id) await send(port, 'DELETE', `/api/v1/series/${id}`, auth);
    }

    const header = ['route', 'series', 'c', 'p50 ms', 'p99 ms', 'bytes', 'floor p99', 'ratio', ''];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) => r.map((cell, i) => (i <= 1 || i === 8 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
    console.log(`\nseries: ${REQUESTS} requests per route and concurrency; floor = bare node:http with the same bytes (store: same body in, 201 out)`);
    console.log(`database: ${scratch ? 'PostgreSQL at BENCH_DATABASE_URL (fresh database)' : 'embedded PostgreSQL'}; app: compiled all-in-one\n`);
    console.log(line(header));
    for (const r of rows) console.log(line(r));
    reportRows(targetRows(large));
    const over = rows.filter((r) => r[2] === '1' && !r[0].startsWith('floor') && Number(r[4]) >= 350);
    console.log(over.length === 0 ? '\nevery route p99 < 350 ms at concurrency 1' : `\nover 350 ms p99 at concurrency 1: ${over.map((r) => `${r[0]} [${r[1]}] ${r[4]} ms`).join('; ')}`);
  } catch (error) {
    if (app) console.error(`app output:\n${app.output().slice(-4000)}`);
    throw error;
  } finally {
    floor.disconnect();
    await db.end().catch(() => undefined);
    await app?.stop();
    await scratch?.drop();
    await embedded?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The three rows of issue 17 for series, from the concurrency-1 timings of the large series. */
function targetRows(large: Map<string, Timing>): BenchRow[] {
  const points = `${LARGE / 1e6}M-point series`;
  const rows: BenchRow[] = [];
  const binary = large.get('GET /series/{id} (binary)');
  const bare = large.get('floor of GET /series/{id} (binary)');
  const copy = large.get('floor: raw binary COPY of the bytea');
  if (binary && bare && copy) {
    const ratio = binary.p99 / (copy.p99 + bare.p99);
    rows.push({
      workload: `${points}, binary read (bench:series, c=1)`,
      figure: `p50 ${binary.p50.toFixed(1)} ms, p99 ${binary.p99.toFixed(1)} ms`,
      floor: `binary COPY p99 ${copy.p99.toFixed(1)} ms + bare send p99 ${bare.p99.toFixed(1)} ms`,
      value: ratio,
      shown: `${ratio.toFixed(2)}×`,
      target: '<= 2',
    });
  }
  const store = large.get('POST /series');
  const body = large.get('floor of POST /series');
  if (store && body) {
    const ratio = store.p99 / body.p99;
    rows.push({
      workload: `${points}, store (uniform form, c=1)`,
      figure: `p50 ${store.p50.toFixed(1)} ms, p99 ${store.p99.toFixed(1)} ms`,
      floor: `bare server taking the same body p99 ${body.p99.toFixed(1)} ms`,
      value: ratio,
      shown: `${ratio.toFixed(2)}×`,
      target: '<= 3',
    });
  }
  const first = large.get('GET /series/{id} (JSON, first read)');
  if (first) {
    rows.push({
      workload: `${points}, JSON first read (c=1)`,
      figure: `p50 ${first.p50.toFixed(1)} ms, p99 ${first.p99.toFixed(1)} ms`,
      floor: '',
      value: first.p99,
      shown: `${first.p99.toFixed(0)} ms`,
      target: '< 350',
    });
  }
  return rows;
}

function formatBytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
