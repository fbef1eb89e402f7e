import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { startEmbeddedPostgres } from '../src/core/database/embedded-postgres';
import { splitLines } from '../src/modules/jobs/ingest/line-splitter';
import { parseLogLine } from '../src/modules/jobs/ingest/log-line.validator';
import { toCopyRow } from '../src/modules/jobs/ingest/copy-row';
import { freePort, RunningProcess, startProcess, waitForReady } from '../test/utils/process';
import { createTestDatabase } from '../test/utils/test-database';
import { reportRows } from './support/report';

/**
 * `npm run bench:ingest`: upload → completed for an N-line file (BENCH_LINES, default 1,000,000),
 * beside raw COPY of the same rows into a scratch table of the same shape (LIKE log_entries
 * INCLUDING ALL: same columns, keys and indexes) in the same database, in the same run.
 *
 * Default: embedded PostgreSQL, in-process broker, local files, API and worker in one process
 * (`npm start`), run from the build in dist/ as in production. With BENCH_DATABASE_URL and BENCH_RABBITMQ_URL: a separate API process and a
 * separate worker process on those servers. BENCH_NODE_OPTIONS is passed to the app's processes
 * as NODE_OPTIONS (e.g. `--max-old-space-size=160` to see how much of the peak RSS is lazy GC).
 * BENCH_CPU_PROF=<dir> writes the app processes' CPU profiles there (support/cpu-prof-preload.js);
 * `node bench/support/cpu-profile.js <file>` lists their top frames.
 */
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const DATABASE_URL = process.env.BENCH_DATABASE_URL;
const RABBITMQ_URL = process.env.BENCH_RABBITMQ_URL;

const LEVELS = ['DEBUG', 'INFO', 'INFO', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];
const SERVICES = ['auth', 'billing', 'search', 'checkout', 'inventory'];
const MESSAGES = [
  'request served',
  'user logged in',
  'payment declined by issuer',
  'cache miss for product page',
  'slow query on orders table',
  'connection reset by peer',
];

async function writeLogFile(path: string, lines: number): Promise<void> {
  const out = createWriteStream(path);
  const base = Date.parse('2026-11-22T00:00:00Z');
  let chunk = '';
  for (let i = 1; i <= lines; i++) {
    chunk += `${JSON.stringify({
      timestamp: new Date(base + i * 37).toISOString(),
      level: LEVELS[i % LEVELS.length],
      service: SERVICES[i % SERVICES.length],
      message: `${MESSAGES[i % MESSAGES.length]} (${i})`,
      request_id: `req-${(i * 2654435761) % 4294967296}`,
      latency_ms: (i * 7) % 1500,
      user: { id: i % 10_000, plan: i % 3 ? 'free' : 'pro' },
    })}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** Peak resident set size of a process, sampled from /proc while the run lasts. */
function sampleRss(pid: number): { stop(): number } {
  let peak = 0;
  const read = () =>
    readFile(`/proc/${pid}/status`, 'utf8').then(
      (status) => (peak = Math.max(peak, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024)),
      () => undefined,
    );
  const timer = setInterval(() => void read(), 100);
  return { stop: () => (clearInterval(timer), peak) };
}

async function rawCopy(databaseUrl: string, file: string): Promise<number> {
  // The same rows the worker writes, formatted before the clock starts: only COPY is timed.
  const rows: string[] = [];
  const jobId = '00000000-0000-4000-8000-000000000000';
  const { createReadStream } = await import('node:fs');
  for await (const line of splitLines(createReadStream(file), { maxLineBytes: 1 << 20 })) {
    if ('tooLong' in line) continue;
    const parsed = parseLogLine(line.text);
    if (parsed.ok) rows.push(toCopyRow(jobId, line.lineNo, parsed.entry));
  }
  const client = new Client(databaseUrl);
  await client.connect();
  await client.query('DROP TABLE IF EXISTS bench_copy_log_entries');
  await client.query('CREATE TABLE bench_copy_log_entries (LIKE log_entries INCLUDING ALL)');
  const started = process.hrtime.bigint();
  await pipeline(
    Readable.from((function* () {
      for (let i = 0; i < rows.length; i += 20_000) yield rows.slice(i, i + 20_000).join('');
    })()),
    client.query(copyFrom('COPY bench_copy_log_entries (job_id, line_no, timestamp, level, service, message, attributes) FROM STDIN')),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await client.query('DROP TABLE bench_copy_log_entries');
  await client.end();
  return rows.length / seconds;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'horizon-bench-ingest-'));
  const file = join(dir, 'bench.jsonl');
  const processes: RunningProcess[] = [];
  const embedded = DATABASE_URL ? undefined : await startEmbeddedPostgres(join(dir, 'pg'));
  // On a shared server the run gets a scratch database of its own, dropped at the end.
  const scratch = DATABASE_URL ? await createTestDatabase(DATABASE_URL) : undefined;
  try {
    process.stdout.write(`generating ${LINES} lines… `);
    await writeLogFile(file, LINES);
    const size = (await stat(file)).size;
    console.log(`${(size / 1024 / 1024).toFixed(0)} MB`);

    const databaseUrl = scratch?.url ?? embedded!.url;
    const port = await freePort();
    const common = {
      DATABASE_URL: databaseUrl,
      DATA_DIR: join(dir, 'data'),
      JWT_SECRET: 'bench-secret-of-at-least-thirty-two-chars',
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: 'bench-admin-password',
      UPLOAD_MAX_BYTES: String(size * 2),
      LOG_LEVEL: 'warn',
      NODE_OPTIONS:
        [process.env.BENCH_NODE_OPTIONS, process.env.BENCH_CPU_PROF ? `--require ${join(__dirname, 'support', 'cpu-prof-preload.js')}` : '']
          .filter(Boolean)
          .join(' ') || undefined,
      BENCH_CPU_PROF_DIR: process.env.BENCH_CPU_PROF,
    };
    let api: RunningProcess;
    let worker: RunningProcess;
    if (RABBITMQ_URL) {
      api = startProcess('src/main.ts', { ...common, RABBITMQ_URL, PORT: String(port) }, { compiled: true });
      worker = startProcess('src/worker.ts', { ...common, RABBITMQ_URL, WORKER_HEALTH_PORT: String(await freePort()) }, { compiled: true });
      processes.push(api, worker);
    } else {
      api = worker = startProcess('src/all-in-one.ts', { ...common, PORT: String(port) }, { compiled: true });
      processes.push(api);
    }
    const base = `http://127.0.0.1:${port}`;
    await waitForReady(`${base}/health/ready`, api, 120_000);
    const post = async (path: string, body: object, token?: string) =>
      (await (
        await fetch(base + path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        })
      ).json()) as Record<string, string>;
    const admin = (await post('/api/v1/auth/token', { username: 'admin', password: 'bench-admin-password' })).access_token;

    console.log('raw COPY baseline…');
    const copyRate = await rawCopy(databaseUrl, file);

    const userName = `bench-user-${Date.now()}`;
    await post('/api/v1/users', { username: userName, password: 'bench-user-password' }, admin);
    const token = (await post('/api/v1/auth/token', { username: userName, password: 'bench-user-password' })).access_token;

    console.log('upload → completed…');
    const apiRss = sampleRss(api.child.pid!);
    const workerRss = worker === api ? apiRss : sampleRss(worker.child.pid!);
    const started = Date.now();
    const form = new FormData();
    form.append('file', await openAsBlob(file), 'bench.jsonl');
    const uploaded = await fetch(`${base}/api/v1/files/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    if (uploaded.status !== 202) throw new Error(`upload answered ${uploaded.status}: ${await uploaded.text()}`);
    const { job_id: jobId } = (await uploaded.json()) as { job_id: string };
    const uploadS = (Date.now() - started) / 1000;
    const uploadPeak = apiRss.stop() / 1024 / 1024;
    const ingestRss = sampleRss(worker.child.pid!);
    let job: Record<string, unknown> = {};
    for (;;) {
      job = (await (await fetch(`${base}/api/v1/jobs/${jobId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;
      if (job.status === 'completed' || job.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (Date.now() - started) / 1000;
    const ingestPeak = ingestRss.stop() / 1024 / 1024;
    const apiPeak = Math.max(uploadPeak, worker === api ? ingestPeak : 0);
    const workerPeak = Math.max(workerRss.stop() / 1024 / 1024, ingestPeak);
    if (job.status !== 'completed' || job.entries_ingested !== LINES) throw new Error(`job ended ${JSON.stringify(job)}`);

    const e2eRate = LINES / seconds;
    const mode = RABBITMQ_URL ? 'PostgreSQL + RabbitMQ, API and worker processes' : 'embedded defaults, API and worker in one process';
    console.log(`\n${LINES} lines, ${(size / 1024 / 1024).toFixed(0)} MB, ${mode}`);
    console.log(`upload ${uploadS.toFixed(1)} s (peak RSS ${uploadPeak.toFixed(0)} MB), upload → completed ${seconds.toFixed(1)} s (ingest peak RSS ${ingestPeak.toFixed(0)} MB)`);
    console.log(
      `ingest: ${e2eRate.toFixed(0)} lines/s end-to-end, ${copyRate.toFixed(0)} lines/s raw COPY, ratio ${(e2eRate / copyRate).toFixed(2)}, ` +
        `worker peak RSS ${workerPeak.toFixed(0)} MB, api peak RSS ${apiPeak.toFixed(0)} MB`,
    );
    const workload = `log ingest, ${LINES.toLocaleString('en')} lines (${(size / 1024 / 1024).toFixed(0)} MB), upload → completed`;
    reportRows([
      {
        workload,
        figure: `${Math.round(e2eRate).toLocaleString('en')} lines/s`,
        floor: `raw COPY ${Math.round(copyRate).toLocaleString('en')} lines/s`,
        value: e2eRate / copyRate,
        shown: (e2eRate / copyRate).toFixed(2),
        target: '>= 0.9',
      },
      {
        workload: `ingest worker peak RSS, ${LINES.toLocaleString('en')} lines${process.env.BENCH_NODE_OPTIONS ? ` (${process.env.BENCH_NODE_OPTIONS})` : ', no heap cap'}`,
        figure: `${workerPeak.toFixed(0)} MB`,
        floor: '',
        value: workerPeak,
        shown: `${workerPeak.toFixed(0)} MB`,
        target: '< 300',
      },
    ]);
  } finally {
    for (const p of processes) await p.stop();
    await embedded?.stop();
    await scratch?.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
