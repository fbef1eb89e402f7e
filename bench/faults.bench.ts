import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/core/database/embedded-postgres';
import { freePort, RunningProcess, startProcess, waitForReady } from '../test/utils/process';
import { createBenchUser } from './support/bench-user';
import { startPrivateRabbit, type PrivateRabbit } from './support/private-services';

/**
 * `npm run bench:faults`: the jobs workload as production runs it (an API process and worker
 * processes from dist/, over RabbitMQ and PostgreSQL, files on a shared local DATA_DIR), with
 * faults injected mid-ingest, against a PRIVATE RabbitMQ node and a PRIVATE PostgreSQL that this
 * script starts and stops itself (the shared services other work depends on are never touched):
 *
 *  1. kill -9 of the worker that is ingesting, FAULT_KILLS times (default 10) at random points
 *     of a FAULT_LINES-line file (default 1,000,000; one line in 200 invalid), a new worker
 *     started each time: entries must equal the valid lines exactly, none lost, none twice;
 *  2. RabbitMQ `stop_app` / `start_app` mid-ingest;
 *  3. PostgreSQL stopped and started again (same port) mid-ingest;
 *  4. scale-out: SCALE_FILES (8) files of SCALE_LINES (100,000) lines with 1, then 2 workers.
 *
 * FAULT_SCENARIOS (default `kill,rabbitmq,postgres,scale`) picks some. Each fault prints: faults injected, job outcome, entries expected / found / duplicated, and
 * the time from the fault until the job's checkpoint moved again.
 */
const KILLS = Number(process.env.FAULT_KILLS ?? 10);
const LINES = Number(process.env.FAULT_LINES ?? 1_000_000);
const RESTART_LINES = Number(process.env.FAULT_RESTART_LINES ?? 300_000);
const SCALE_FILES = Number(process.env.SCALE_FILES ?? 8);
const SCALE_LINES = Number(process.env.SCALE_LINES ?? 100_000);
const INVALID_EVERY = 200;
const SCENARIOS = new Set((process.env.FAULT_SCENARIOS ?? 'kill,rabbitmq,postgres,scale').split(','));
const JWT_SECRET = 'fault-bench-secret-of-at-least-32-characters';

function validLine(i: number): string {
  return `{"timestamp":"2026-11-22T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z","level":"INFO","service":"svc${i % 7}","message":"request ${i} served","seq":${i}}`;
}

/** A .jsonl file of `lines` lines, one in INVALID_EVERY invalid; answers how many are valid. */
async function writeLogFile(path: string, lines: number): Promise<number> {
  const out = createWriteStream(path);
  let valid = 0;
  let chunk = '';
  for (let i = 1; i <= lines; i += 1) {
    if (i % INVALID_EVERY === 0) chunk += `{"timestamp":"2024-W01-1","level":"INFO","message":"bad ${i}"}\n`;
    else {
      chunk += `${validLine(i)}\n`;
      valid += 1;
    }
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return valid;
}

interface Cluster {
  api: RunningProcess;
  base: string;
  token: string;
  workers: RunningProcess[];
  env: Record<string, string>;
  db: Client;
}

async function startWorker(cluster: Cluster): Promise<RunningProcess> {
  const port = await freePort();
  const worker = startProcess('src/worker.ts', { ...cluster.env, WORKER_HEALTH_PORT: String(port) }, { compiled: true });
  await waitForReady(`http://127.0.0.1:${port}/health/ready`, worker, 120_000);
  cluster.workers.push(worker);
  return worker;
}

async function upload(cluster: Cluster, path: string, name: string): Promise<string> {
  const form = new FormData();
  form.append('file', await openAsBlob(path), name);
  const res = await fetch(`${cluster.base}/api/v1/files/upload`, { method: 'POST', headers: { authorization: `Bearer ${cluster.token}` }, body: form });
  if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { job_id: string }).job_id;
}

interface JobRow {
  status: string;
  lines_read: number;
  entries_ingested: number;
  lines_rejected: number;
  error: string | null;
}

async function jobRow(db: Client, id: string): Promise<JobRow> {
  const { rows } = await db.query<JobRow>('SELECT status, lines_read, entries_ingested, lines_rejected, error FROM jobs WHERE id = $1', [id]);
  return rows[0];
}

/** Polls the job's row; a database that is down is retried until the deadline. */
async function waitUntil<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const finished = (db: Client, id: string, timeoutMs = 1_800_000) =>
  waitUntil(async () => {
    const row = await jobRow(db, id);
    return ['completed', 'failed'].includes(row.status) ? row : undefined;
  }, timeoutMs, `job ${id} to finish`);

/** Time until the job's checkpoint moves past where it was when the fault hit. */
async function recovery(db: Client, id: string, faultAt: number, linesAtFault: number): Promise<number> {
  await waitUntil(async () => {
    const row = await jobRow(db, id);
    return row.lines_read > linesAtFault || row.status !== 'processing' ? true : undefined;
  }, 600_000, `job ${id} to move again`);
  return Date.now() - faultAt;
}

async function entryCounts(db: Client, id: string): Promise<{ found: number; duplicated: number }> {
  const { rows } = await db.query<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT line_no) AS d FROM log_entries WHERE job_id = $1', [id]);
  return { found: Number(rows[0].n), duplicated: Number(rows[0].n) - Number(rows[0].d) };
}

function cpuTicks(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/stat`, 'utf8').then(
    (stat) => {
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[11]) + Number(fields[12]);
    },
    () => 0,
  );
}

/** The worker that is ingesting: the one burning CPU. */
async function busyWorker(cluster: Cluster): Promise<RunningProcess> {
  const alive = cluster.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
  const before = await Promise.all(alive.map((w) => cpuTicks(w.child.pid!)));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const after = await Promise.all(alive.map((w) => cpuTicks(w.child.pid!)));
  let best = 0;
  for (let i = 1; i < alive.length; i += 1) if (after[i] - before[i] > after[best] - before[best]) best = i;
  return alive[best];
}

function report(name: string, faults: number, row: JobRow, expected: number, counts: { found: number; duplicated: number }, recoveries: number[], elapsedMs: number) {
  const rec = recoveries.length
    ? `time to recover median ${median(recoveries)} ms, max ${Math.max(...recoveries)} ms (${recoveries.join(', ')} ms)`
    : 'no recovery measured';
  const verdict = row.status === 'completed' && counts.found === expected && counts.duplicated === 0 ? 'EXACT' : 'NOT EXACT';
  console.log(
    `faults ${name}: ${faults} faults injected; job ${row.status}${row.error ? ` (${row.error})` : ''}; entries expected ${expected} / found ${counts.found} / duplicated ${counts.duplicated}; ` +
      `lost ${Math.max(0, expected - counts.found + counts.duplicated)}; rejected ${row.lines_rejected}; ${rec}; ${(elapsedMs / 1000).toFixed(1)} s; ${verdict}`,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function stopWorkers(cluster: Cluster): Promise<void> {
  await Promise.all(cluster.workers.map((w) => w.stop('SIGTERM')));
  cluster.workers = [];
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'horizon-faults-'));
  const pgDir = join(dir, 'pg');
  const pgPort = await freePort();
  let pg: EmbeddedDatabase | undefined;
  let cluster: Cluster | undefined;
  let rabbit: PrivateRabbit | undefined;
  const rmq = { node: 'hzfault@localhost', port: Number(process.env.FAULT_RABBITMQ_PORT ?? 5673), distPort: Number(process.env.FAULT_RABBITMQ_DIST_PORT ?? 25673) };
  try {
    console.log(`private PostgreSQL (embedded, port ${pgPort}) and RabbitMQ node ${rmq.node} (port ${rmq.port}) under ${dir}`);
    pg = await startEmbeddedPostgres(pgDir, { port: pgPort });
    rabbit = await startPrivateRabbit(rmq);
    const env = {
      DATABASE_URL: pg.url,
      RABBITMQ_URL: rabbit.url,
      DATA_DIR: join(dir, 'data'),
      JWT_SECRET,
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: 'fault-admin-password',
      LOG_LEVEL: 'warn',
      // Files one worker ingests at once; WORKER_PREFETCH=1 makes the scale-out figure one file per process.
      ...(process.env.WORKER_PREFETCH ? { WORKER_PREFETCH: process.env.WORKER_PREFETCH } : {}),
    };
    const apiPort = await freePort();
    const api = startProcess('src/main.ts', { ...env, PORT: String(apiPort) }, { compiled: true });
    const base = `http://127.0.0.1:${apiPort}`;
    await waitForReady(`${base}/health/ready`, api, 120_000);
    const token = await createBenchUser(base, { username: 'admin', password: 'fault-admin-password' }, 'fault-user');
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    cluster = { api, base, token, workers: [], env, db };

    // 1. kill -9 of the ingesting worker, KILLS times, at random points.
    if (SCENARIOS.has('kill')) {
      const big = join(dir, 'big.jsonl');
      const bigValid = await writeLogFile(big, LINES);
      await startWorker(cluster);
      await startWorker(cluster);
      const started = Date.now();
      const job = await upload(cluster, big, 'big.jsonl');
      const recoveries: number[] = [];
      let kills = 0;
      for (; kills < KILLS; kills += 1) {
        // A random point: after 2–8 % more of the file has been read since the last recovery.
        const target = (await jobRow(db, job)).lines_read + Math.floor(LINES * (0.02 + Math.random() * 0.06));
        const row = await waitUntil(async () => {
          const r = await jobRow(db, job);
          return r.lines_read >= target || r.status !== 'queued' && r.status !== 'processing' ? r : undefined;
        }, 600_000, 'ingest progress');
        if (row.status !== 'processing') break;
        const victim = await busyWorker(cluster);
        const at = Date.now();
        const linesAtKill = (await jobRow(db, job)).lines_read;
        victim.child.kill('SIGKILL');
        await victim.exited;
        cluster.workers = cluster.workers.filter((w) => w !== victim);
        void startWorker(cluster);
        recoveries.push(await recovery(db, job, at, linesAtKill));
    }
    const row = await finished(db, job);
    report('kill -9', kills, row, bigValid, await entryCounts(db, job), recoveries, Date.now() - started);
    await stopWorkers(cluster);
    }

    const mid = join(dir, 'mid.jsonl');
    const midValid = await writeLogFile(mid, RESTART_LINES);
    await startWorker(cluster);
    await startWorker(cluster);
    // 2. RabbitMQ stop_app / start_app mid-ingest.
    if (SCENARIOS.has('rabbitmq')) {
      const started = Date.now();
      const job = await upload(cluster, mid, 'rabbit.jsonl');
      await waitUntil(async () => ((await jobRow(db, job)).lines_read >= RESTART_LINES * 0.3 ? true : undefined), 600_000, 'ingest progress');
      const linesAtFault = (await jobRow(db, job)).lines_read;
      rabbit.restart();
      const at = Date.now();
      const rabbitRecovery = await recovery(db, job, at, linesAtFault);
      const row = await finished(db, job);
      report('RabbitMQ restart', 1, row, midValid, await entryCounts(db, job), [rabbitRecovery], Date.now() - started);
    }

    // 3. PostgreSQL stopped and started again on the same port mid-ingest.
    let db2 = db;
    if (SCENARIOS.has('postgres')) {
      const started = Date.now();
      const job = await upload(cluster, mid, 'postgres.jsonl');
      await waitUntil(async () => ((await jobRow(db, job)).lines_read >= RESTART_LINES * 0.3 ? true : undefined), 600_000, 'ingest progress');
      const linesAtFault = (await jobRow(db, job)).lines_read;
      await db.end();
      await pg.stop();
      pg = await startEmbeddedPostgres(pgDir, { port: pgPort });
      const at = Date.now();
      db2 = new Client({ connectionString: pg.url });
      await db2.connect();
      cluster.db = db2;
      const pgRecovery = await recovery(db2, job, at, linesAtFault);
      const row = await finished(db2, job);
      report('PostgreSQL restart', 1, row, midValid, await entryCounts(db2, job), [pgRecovery], Date.now() - started);
    }
    await stopWorkers(cluster);

    // 4. Scale-out: SCALE_FILES files with 1 worker, then with 2.
    if (SCENARIOS.has('scale')) {
      const files: string[] = [];
      let scaleValid = 0;
      for (let i = 0; i < SCALE_FILES; i += 1) {
        files.push(join(dir, `scale-${i}.jsonl`));
        scaleValid += await writeLogFile(files[i], SCALE_LINES);
    }
    const throughput: number[] = [];
    for (const workers of [1, 2]) {
      for (let i = 0; i < workers; i += 1) await startWorker(cluster);
      const t0 = Date.now();
      const jobs = await Promise.all(files.map((f, i) => upload(cluster!, f, `scale-${workers}-${i}.jsonl`)));
      const rows = await Promise.all(jobs.map((j) => finished(db2, j)));
      const seconds = (Date.now() - t0) / 1000;
      const ingested = rows.reduce((sum, r) => sum + r.entries_ingested, 0);
      throughput.push((SCALE_FILES * SCALE_LINES) / seconds);
      console.log(
        `scale ${workers} worker${workers > 1 ? 's' : ''}: ${SCALE_FILES} × ${SCALE_LINES} lines in ${seconds.toFixed(1)} s = ${throughput.at(-1)!.toFixed(0)} lines/s ` +
          `(upload included; entries ${ingested} of ${scaleValid} valid, ${rows.filter((r) => r.status === 'completed').length} jobs completed)`,
      );
      await stopWorkers(cluster);
    }
    console.log(`scale-out: 2 workers / 1 worker = ${(throughput[1] / throughput[0]).toFixed(2)} (same PostgreSQL, ${cpus().length} cores shared)`);
    }
    await db2.end();
  } finally {
    if (cluster) {
      for (const w of cluster.workers) await w.stop('SIGKILL');
      await cluster.api.stop();
    }
    await pg?.stop().catch(() => undefined);
    await rabbit?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

void main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
