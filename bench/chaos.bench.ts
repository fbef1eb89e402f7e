import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import sharp from 'sharp';
import { AppConfig } from '../src/core/config/app-config';
import { runFfmpeg } from '../src/core/media/ffmpeg';
import { astronautJpeg } from '../test/factories/task-media.factory';
import { freePort, RunningProcess, startProcess, waitForReady } from '../test/utils/process';
import { createBenchUser } from './support/bench-user';
import { type BenchRow, reportRows } from './support/report';
import { startPrivatePostgres, startPrivateRabbit, startPrivateS3 } from './support/private-services';

/**
 * `npm run bench:chaos`: every queue (`jobs.ingest`, `ecg.analyse`, `tasks.anonymise`,
 * `transcriptions.transcribe`) in split mode, as production runs it: an API process and two worker
 * processes (from dist/) over a PRIVATE RabbitMQ node, a PRIVATE PostgreSQL and a private S3 server
 * (s3rver, as in test:services), all started and stopped by this script. Per queue, after a clean
 * baseline run:
 *
 *  - kill:          kill -9 of the busy worker mid-work, CHAOS_KILLS times (5), a new worker each time;
 *  - deploy:        a rolling restart: SIGTERM to the busy worker mid-work (it drains, then exits) and a
 *                   new worker started, CHAOS_KILLS times;
 *  - rabbitmq:      RabbitMQ `stop_app` / `start_app` mid-work;
 *  - postgres:      PostgreSQL stopped for CHAOS_PG_DOWN_MS (2000) and started again, mid-work;
 *  - s3-upload:     the S3 server stopped while an upload streams in (CHAOS_S3_DOWN_MS, 3000);
 *  - s3-processing: the S3 server stopped for CHAOS_S3_DOWN_MS while a worker processes.
 *
 * Each piece of work ends as: completed exactly once and correct (compared with the baseline),
 * failed naming its cause, lost (never finished, or finished with missing results), or duplicated
 * (done twice: results twice, or completed and then reopened). A client polls every item's
 * REST status every 150 ms, which also counts the items whose progress went backwards. Recovery is
 * the time from the fault (the kill; the service being back, for a restart) until a poll shows
 * the work moving again: progress above what the first poll after the fault showed, or the work
 * finished (Watcher.movedAfter; docs/reliability.md). With checkpoints (a transcription's
 * segments, a video's chunks) that is redelivery + download + the unfinished part of one segment
 * or chunk, not the whole file again.
 *
 * Knobs: CHAOS_QUEUES, CHAOS_SCENARIOS (comma lists), CHAOS_KILLS, CHAOS_JOB_LINES (200,000),
 * CHAOS_ECG_SAMPLES (60,000 per lead, 12 leads, 6 ECGs a round), CHAOS_VIDEO_SECONDS (4, 10 fps),
 * CHAOS_AUDIO_SECONDS (20), CHAOS_TIMEOUT_S (300, per round).
 */
const env = process.env;
const QUEUES = (env.CHAOS_QUEUES ?? 'jobs.ingest,ecg.analyse,tasks.anonymise,transcriptions.transcribe').split(',');
const SCENARIOS = (env.CHAOS_SCENARIOS ?? 'kill,deploy,rabbitmq,postgres,s3-upload,s3-processing').split(',');
const KILLS = Number(env.CHAOS_KILLS ?? 5);
const JOB_LINES = Number(env.CHAOS_JOB_LINES ?? 200_000);
const ECG_SAMPLES = Number(env.CHAOS_ECG_SAMPLES ?? 60_000);
const ECG_BATCH = 6;
const VIDEO_SECONDS = Number(env.CHAOS_VIDEO_SECONDS ?? 4);
const AUDIO_SECONDS = Number(env.CHAOS_AUDIO_SECONDS ?? 20);
const TIMEOUT_MS = Number(env.CHAOS_TIMEOUT_S ?? 300) * 1000;
const PG_DOWN_MS = Number(env.CHAOS_PG_DOWN_MS ?? 2000);
const S3_DOWN_MS = Number(env.CHAOS_S3_DOWN_MS ?? 3000);
const JWT_SECRET = 'chaos-bench-secret-of-at-least-32-characters';
const GENERIC_REASON = 'an internal error (logged on the server)';
// Tasks end `processed`, the other workloads `completed`.
const DONE = new Set(['completed', 'processed']);
const TERMINAL = new Set([...DONE, 'failed']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`${status} ${body.slice(0, 300)}`);
  }
  get code(): string | undefined {
    try {
      return (JSON.parse(this.body) as { code?: string }).code;
    } catch {
      return undefined;
    }
  }
}

interface Api {
  base: string;
  token: string;
  call<T = Record<string, unknown>>(method: string, path: string, body?: RequestInit['body'], type?: string): Promise<T>;
}

function apiOf(base: string, token: string): Api {
  return {
    base,
    token,
    call: async <T>(method: string, path: string, body?: RequestInit['body'], type?: string) => {
      const res = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(type ? { 'content-type': type } : {}) },
        body,
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);
      const text = await res.text();
      if (res.status >= 300) throw new ApiError(res.status, text);
      return JSON.parse(text) as T;
    },
  };
}

/** What a client sees of one piece of work. */
interface Seen {
  status: string;
  progress: number;
  error: string | null;
}

interface Verdict {
  correct: boolean;
  /** Results present more than once. */
  twice: boolean;
  note?: string;
}

interface Workload {
  queue: string;
  /** Whether it keeps anything in object storage (ECGs live in PostgreSQL only). */
  usesStorage: boolean;
  batch: number;
  prepare(dir: string): Promise<void>;
  submit(api: Api, n: number): Promise<string>;
  /** Starts an upload whose body streams slowly; resolves with the answer or rejects with ApiError. */
  slowUpload(api: Api): Promise<string>;
  get(api: Api, id: string): Promise<Seen>;
  verify(api: Api, db: Client, id: string, baseline: unknown): Promise<Verdict>;
  /** What a correct result looks like, from the baseline run. */
  reference(api: Api, id: string): Promise<unknown>;
  /** The resources a client can list: a failed upload must leave none half-written. */
  count(api: Api): Promise<number>;
}

/** A multipart body (one `file` field) streamed over about 3 s (60 pieces, 50 ms apart). */
function slowMultipart(bytes: Buffer, fileName: string): { body: ReadableStream<Uint8Array>; type: string } {
  const boundary = `chaos${Date.now()}`;
  const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${fileName}"\r\ncontent-type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: slowStream(Buffer.concat([head, bytes, tail])), type: `multipart/form-data; boundary=${boundary}` };
}

function slowStream(all: Buffer): ReadableStream<Uint8Array> {
  const chunk = Math.max(1024, Math.ceil(all.length / 60));
  let offset = 0;
  return new ReadableStream({
    async pull(controller) {
      if (offset >= all.length) return controller.close();
      if (offset > 0) await sleep(50);
      controller.enqueue(new Uint8Array(all.subarray(offset, offset + chunk)));
      offset += chunk;
    },
  });
}

function multipart(bytes: Buffer, fileName: string): FormData {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), fileName);
  return form;
}

function jobsWorkload(): Workload {
  let file = Buffer.alloc(0);
  let valid = 0;
  return {
    queue: 'jobs.ingest',
    usesStorage: true,
    batch: 1,
    prepare: async () => {
      const lines: string[] = [];
      for (let i = 1; i <= JOB_LINES; i += 1) {
        if (i % 200 === 0) lines.push(`{"timestamp":"2024-W01-1","level":"INFO","message":"bad ${i}"}`);
        else {
          lines.push(`{"timestamp":"2026-11-22T10:00:00Z","level":"INFO","service":"svc${i % 7}","message":"request ${i} served","seq":${i}}`);
          valid += 1;
        }
      }
      file = Buffer.from(`${lines.join('\n')}\n`);
    },
    submit: async (api, n) =>
      (await api.call<{ job_id: string }>('POST', '/api/v1/files/upload', multipart(file, `chaos-${n}.jsonl`))).job_id,
    slowUpload: async (api) => {
      const { body, type } = slowMultipart(file, 'slow.jsonl');
      return (await api.call<{ job_id: string }>('POST', '/api/v1/files/upload', body, type)).job_id;
    },
    get: async (api, id) => api.call<Seen>('GET', `/api/v1/jobs/${id}`),
    reference: async () => valid,
    verify: async (_api, db, id) => {
      const { rows } = await db.query<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT line_no) AS d FROM log_entries WHERE job_id = $1', [id]);
      const found = Number(rows[0].n);
      const distinct = Number(rows[0].d);
      return { correct: found === valid && distinct === valid, twice: found > distinct, note: found === valid ? undefined : `${found} of ${valid} entries` };
    },
    count: async (api) => (await api.call<{ items: unknown[] }>('GET', '/api/v1/jobs?limit=100')).items.length,
  };
}

function ecgWorkload(): Workload {
  const LEADS = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
  let body = '';
  const ecgBody = (id: string) => body.replace('"__ID__"', JSON.stringify(id));
  return {
    queue: 'ecg.analyse',
    usesStorage: false,
    batch: ECG_BATCH,
    prepare: async () => {
      const signal = Array.from({ length: ECG_SAMPLES }, (_, i) => Math.round(1000 * Math.sin((2 * Math.PI * i) / 360) + (i % 360 === 0 ? 3000 : 0)));
      body = JSON.stringify({ id: '__ID__', date: '2026-11-22T10:00:00Z', sampling_rate_hz: 360, leads: LEADS.map((name) => ({ name, signal })) });
    },
    submit: async (api, n) => {
      const id = `chaos-${process.pid}-${n}`;
      await api.call('POST', '/api/v1/ecgs', ecgBody(id), 'application/json');
      return id;
    },
    slowUpload: () => Promise.reject(new Error('ECGs are not stored in object storage')),
    get: async (api, id) => {
      const ecg = await api.call<Seen>('GET', `/api/v1/ecgs/${id}`);
      return { status: ecg.status, progress: 0, error: ecg.error };
    },
    reference: async (api, id) => JSON.stringify((await api.call<{ leads: unknown[] }>('GET', `/api/v1/ecgs/${id}`)).leads),
    verify: async (api, db, id, baseline) => {
      const ecg = await api.call<{ leads: unknown[] }>('GET', `/api/v1/ecgs/${id}`);
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM ecg_leads l JOIN ecgs e ON e.pk = l.ecg_pk WHERE e.id = $1', [id]);
      return { correct: JSON.stringify(ecg.leads) === baseline, twice: Number(rows[0].n) > LEADS.length };
    },
    count: async (api) => (await api.call<{ items: unknown[] }>('GET', '/api/v1/ecgs?limit=100')).items.length,
  };
}

interface TaskSeen extends Seen {
  anonymised_total: number;
  media: { frames: number | null };
}

function tasksWorkload(): Workload {
  let video = Buffer.alloc(0);
  const create = async (api: Api, name: string) =>
    (await api.call<{ id: string }>('POST', '/api/v1/tasks', JSON.stringify({ file_name: name, media_type: 'video', objects: ['face', 'person'] }), 'application/json')).id;
  return {
    queue: 'tasks.anonymise',
    usesStorage: true,
    batch: 1,
    prepare: async (dir) => {
      const still = join(dir, 'still.jpg');
      const clip = join(dir, 'clip.mp4');
      await writeFile(still, await sharp(astronautJpeg()).resize(640, 480, { fit: 'contain' }).jpeg().toBuffer());
      await runFfmpeg(AppConfig.from({}).ffmpegPath!, [
        '-loop', '1', '-i', still, '-t', String(VIDEO_SECONDS), '-r', '10',
        '-vf', "crop=iw-mod(n*4\\,64):ih:mod(n*4\\,64):0,scale=640:480", '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-y', clip,
      ]);
      video = await readFile(clip);
    },
    submit: async (api, n) => {
      const id = await create(api, `chaos-${n}.mp4`);
      await api.call('PUT', `/api/v1/tasks/${id}/file`, new Uint8Array(video), 'video/mp4');
      return id;
    },
    slowUpload: async (api) => {
      const id = await create(api, 'slow.mp4');
      try {
        await api.call('PUT', `/api/v1/tasks/${id}/file`, slowStream(video), 'video/mp4');
      } catch (error) {
        // The task exists from POST; what matters is that it is still `new`, with no file.
        const task = await api.call<Seen>('GET', `/api/v1/tasks/${id}`);
        if (task.status !== 'new') throw new Error(`a failed upload left the task ${task.status}`, { cause: error });
        throw error;
      }
      return id;
    },
    get: async (api, id) => api.call<Seen>('GET', `/api/v1/tasks/${id}`),
    reference: async (api, id) => {
      const t = await api.call<TaskSeen>('GET', `/api/v1/tasks/${id}`);
      return `${t.media.frames} frames, ${t.anonymised_total} objects`;
    },
    verify: async (api, _db, id, baseline) => {
      const t = await api.call<TaskSeen>('GET', `/api/v1/tasks/${id}`);
      const got = `${t.media.frames} frames, ${t.anonymised_total} objects`;
      const result = await fetch(`${api.base}/api/v1/tasks/${id}/result`, { headers: { authorization: `Bearer ${api.token}` } });
      const bytes = result.ok ? (await result.arrayBuffer()).byteLength : 0;
      return { correct: got === baseline && bytes > 0, twice: false, note: got === baseline ? (bytes > 0 ? undefined : 'no result') : got };
    },
    // Tasks are created before their upload, so the count is of tasks that got past `new`.
    count: async (api) => (await api.call<{ items: Seen[] }>('GET', '/api/v1/tasks?limit=100')).items.filter((t) => t.status !== 'new').length,
  };
}

interface TranscriptionSeen extends Seen {
  text: string | null;
  segments: { start: number; end: number }[] | null;
}

function transcriptionsWorkload(): Workload {
  let audio = Buffer.alloc(0);
  return {
    queue: 'transcriptions.transcribe',
    usesStorage: true,
    batch: 1,
    prepare: async (dir) => {
      // The test clips end to end until AUDIO_SECONDS: long enough for a fault to land mid-work.
      const clips = ['fox.wav', 'report.wav', 'weather.wav', 'fox-chase.wav'].map((f) => join(__dirname, '..', 'test', 'fixtures', 'audio', f));
      const list = join(dir, 'clips.txt');
      const rounds = Math.ceil(AUDIO_SECONDS / 15);
      await writeFile(list, Array.from({ length: rounds }, () => clips.map((c) => `file '${c}'`).join('\n')).join('\n'));
      const out = join(dir, 'long.wav');
      await runFfmpeg(AppConfig.from({}).ffmpegPath!, ['-f', 'concat', '-safe', '0', '-i', list, '-t', String(AUDIO_SECONDS), '-ar', '16000', '-ac', '1', '-y', out]);
      audio = await readFile(out);
    },
    submit: async (api, n) => (await api.call<{ id: string }>('POST', '/api/v1/transcriptions', multipart(audio, `chaos-${n}.wav`))).id,
    slowUpload: async (api) => {
      const { body, type } = slowMultipart(audio, 'slow.wav');
      return (await api.call<{ id: string }>('POST', '/api/v1/transcriptions', body, type)).id;
    },
    get: async (api, id) => api.call<Seen>('GET', `/api/v1/transcriptions/${id}`),
    reference: async (api, id) => (await api.call<TranscriptionSeen>('GET', `/api/v1/transcriptions/${id}`)).text,
    verify: async (api, _db, id, baseline) => {
      const t = await api.call<TranscriptionSeen>('GET', `/api/v1/transcriptions/${id}`);
      const segments = t.segments ?? [];
      const overlapping = segments.some((s, i) => i > 0 && s.start < segments[i - 1].start);
      return { correct: t.text === baseline, twice: overlapping, note: t.text === baseline ? undefined : `text differs: ${String(t.text).slice(0, 60)}` };
    },
    count: async (api) => (await api.call<{ items: unknown[] }>('GET', '/api/v1/transcriptions?limit=100')).items.length,
  };
}

/** Polls every item's status as a client would, keeping what it saw. */
class Watcher {
  readonly history = new Map<string, { seen: Seen; at: number }[]>();
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly api: Api,
    private readonly workload: Workload,
    readonly ids: string[],
  ) {
    for (const id of ids) this.history.set(id, []);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await Promise.all(
        this.ids.map(async (id) => {
          const seen = await this.workload.get(this.api, id).catch(() => undefined);
          if (seen) this.history.get(id)!.push({ seen: { status: seen.status, progress: seen.progress ?? 0, error: seen.error }, at: Date.now() });
        }),
      );
      await sleep(150);
    }
  }

  last(id: string): Seen | undefined {
    return this.history.get(id)!.at(-1)?.seen;
  }

  terminal(id: string): boolean {
    return TERMINAL.has(this.last(id)?.status ?? '');
  }

  /**
   * Recovery: the first poll after the fault `t` at which some unfinished item shows progress
   * above what it showed at the first poll after `t` (which still holds anything the victim wrote
   * before it died), or has finished: "progress moving again", on the surviving or new worker.
   */
  movedAfter(t: number): number | undefined {
    let first: number | undefined;
    for (const entries of this.history.values()) {
      const at = entries.findIndex((e) => e.at >= t);
      if (at < 0 || TERMINAL.has(entries[at].seen.status)) continue;
      const shown = Math.max(...entries.slice(0, at + 1).map((e) => e.seen.progress));
      const moved = entries.slice(at + 1).find((e) => e.seen.progress > shown || TERMINAL.has(e.seen.status));
      if (moved) first = Math.min(first ?? Infinity, moved.at);
    }
    return first;
  }

  backwards(id: string): boolean {
    const entries = this.history.get(id)!;
    return entries.some((e, i) => i > 0 && e.seen.progress < entries[i - 1].seen.progress);
  }

  reopened(id: string): boolean {
    const entries = this.history.get(id)!;
    const done = entries.findIndex((e) => DONE.has(e.seen.status));
    return done >= 0 && entries.slice(done).some((e) => !DONE.has(e.seen.status));
  }

  async until(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (predicate()) return true;
      await sleep(100);
    }
    return predicate();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

interface Row {
  queue: string;
  scenario: string;
  faults: number;
  submitted: number;
  completedOnce: number;
  failedWithCause: number;
  failedUnnamed: number;
  lost: number;
  duplicated: number;
  backwards: number;
  recoveries: number[];
  notes: string[];
}

interface Cluster {
  apiProcess: RunningProcess;
  api: Api;
  env: Record<string, string>;
  workers: RunningProcess[];
  db: () => Client;
}

async function startWorker(cluster: Cluster, queue: string): Promise<RunningProcess> {
  const port = await freePort();
  const worker = startProcess('src/worker.ts', { ...cluster.env, WORKER_QUEUES: queue, WORKER_HEALTH_PORT: String(port), DATA_DIR: join(cluster.env.DATA_DIR, `w${port}`) }, { compiled: true });
  await waitForReady(`http://127.0.0.1:${port}/health/ready`, worker, 180_000);
  cluster.workers.push(worker);
  return worker;
}

/** A process and all its descendants (engine processes, ffmpeg): what a container holds. */
async function processTree(pid: number): Promise<number[]> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const ids = children.split(' ').filter(Boolean).map(Number);
  return [pid, ...(await Promise.all(ids.map(processTree))).flat()];
}

async function cpuTicks(pid: number): Promise<number> {
  let ticks = 0;
  for (const id of await processTree(pid)) {
    const stat = await readFile(`/proc/${id}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks;
}

/** The worker doing the work: the one whose process tree burns CPU. */
async function busyWorker(cluster: Cluster): Promise<RunningProcess> {
  const alive = cluster.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
  const before = await Promise.all(alive.map((w) => cpuTicks(w.child.pid!)));
  await sleep(300);
  const after = await Promise.all(alive.map((w) => cpuTicks(w.child.pid!)));
  let best = 0;
  for (let i = 1; i < alive.length; i += 1) if (after[i] - before[i] > after[best] - before[best]) best = i;
  return alive[best];
}

/** kill -9 of the worker and everything it started, as when its container or machine dies. */
async function killTree(worker: RunningProcess): Promise<void> {
  const tree = await processTree(worker.child.pid!);
  for (const id of tree.reverse()) {
    try {
      process.kill(id, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await worker.exited;
}

async function settle(row: Row, cluster: Cluster, workload: Workload, watcher: Watcher, baseline: unknown): Promise<void> {
  const done = await watcher.until(() => watcher.ids.every((id) => watcher.terminal(id)), TIMEOUT_MS);
  await sleep(500);
  await watcher.stop();
  if (!done) row.notes.push(`not finished after ${TIMEOUT_MS / 1000} s`);
  const db = cluster.db();
  for (const id of watcher.ids) {
    row.submitted += 1;
    if (watcher.backwards(id)) row.backwards += 1;
    const last = watcher.last(id);
    if (DONE.has(last?.status ?? '')) {
      const verdict = await workload.verify(cluster.api, db, id, baseline);
      if (verdict.twice || watcher.reopened(id)) row.duplicated += 1;
      else if (verdict.correct) row.completedOnce += 1;
      else row.lost += 1;
      if (verdict.note) row.notes.push(verdict.note);
    } else if (last?.status === 'failed') {
      if (last.error && last.error !== GENERIC_REASON) row.failedWithCause += 1;
      else row.failedUnnamed += 1;
      row.notes.push(`failed: ${last.error}`);
    } else row.lost += 1;
  }
}

function newRow(queue: string, scenario: string): Row {
  return { queue, scenario, faults: 0, submitted: 0, completedOnce: 0, failedWithCause: 0, failedUnnamed: 0, lost: 0, duplicated: 0, backwards: 0, recoveries: [], notes: [] };
}

let counter = 0;

async function submitBatch(cluster: Cluster, workload: Workload): Promise<Watcher> {
  const ids: string[] = [];
  for (let i = 0; i < workload.batch; i += 1) ids.push(await workload.submit(cluster.api, ++counter));
  return new Watcher(cluster.api, workload, ids);
}

/** Waits until some item is being worked on (or, for quick work, part of the batch is done). */
async function midWork(watcher: Watcher): Promise<boolean> {
  return watcher.until(() => {
    const seen = watcher.ids.map((id) => watcher.last(id));
    const busy = seen.some((s) => s?.status === 'processing' && (s.progress > 0 || watcher.ids.length > 1));
    const partly = seen.some((s) => DONE.has(s?.status ?? '')) && seen.some((s) => s && !TERMINAL.has(s.status));
    return busy || partly;
  }, 120_000);
}

async function recoveryAfter(watcher: Watcher, t: number, row: Row): Promise<void> {
  if (watcher.ids.every((id) => watcher.terminal(id))) return;
  await watcher.until(() => watcher.movedAfter(t) !== undefined || watcher.ids.every((id) => watcher.terminal(id)), TIMEOUT_MS);
  const moved = watcher.movedAfter(t);
  if (moved !== undefined) row.recoveries.push(moved - t);
}

async function runQueue(cluster: Cluster, workload: Workload, rows: Row[], restartRabbit: () => void, restartPg: () => Promise<void>, s3: { stop(): Promise<void>; start(): Promise<void> }): Promise<void> {
  const queue = workload.queue;
  await Promise.all([startWorker(cluster, queue), startWorker(cluster, queue)]);

  const base = newRow(queue, 'baseline (no fault)');
  const t0 = Date.now();
  const first = await submitBatch(cluster, workload);
  await first.until(() => first.ids.every((id) => first.terminal(id)), TIMEOUT_MS);
  const baseline = await workload.reference(cluster.api, first.ids[0]);
  await settle(base, cluster, workload, first, baseline);
  base.notes.unshift(`${((Date.now() - t0) / 1000).toFixed(1)} s a batch of ${workload.batch}`);
  rows.push(base);
  print(base);

  const replaceBusyWorker = async (scenario: string, stop: (worker: RunningProcess) => Promise<unknown>) => {
    const row = newRow(queue, scenario);
    for (let k = 0; k < KILLS; k += 1) {
      const watcher = await submitBatch(cluster, workload);
      if (await midWork(watcher)) {
        await sleep(Math.random() * 300);
        const victim = await busyWorker(cluster);
        const at = Date.now();
        cluster.workers = cluster.workers.filter((w) => w !== victim);
        const replacement = startWorker(cluster, queue);
        await stop(victim);
        row.faults += 1;
        await recoveryAfter(watcher, at, row);
        await replacement;
      } else row.notes.push('work never seen mid-way; no fault');
      await settle(row, cluster, workload, watcher, baseline);
    }
    rows.push(row);
    print(row);
  };
  if (SCENARIOS.includes('kill')) await replaceBusyWorker(`kill -9 busy worker ×${KILLS}`, killTree);
  // A deploy starts the new worker, then stops the old one gracefully.
  if (SCENARIOS.includes('deploy')) await replaceBusyWorker(`rolling restart (SIGTERM) ×${KILLS}`, (w) => w.stop('SIGTERM'));

  const restart = async (scenario: string, fault: () => Promise<void>) => {
    const row = newRow(queue, scenario);
    const watcher = await submitBatch(cluster, workload);
    if (await midWork(watcher)) {
      await fault();
      row.faults += 1;
      await recoveryAfter(watcher, Date.now(), row);
    } else row.notes.push('work never seen mid-way; no fault');
    await settle(row, cluster, workload, watcher, baseline);
    rows.push(row);
    print(row);
  };
  if (SCENARIOS.includes('rabbitmq')) await restart('RabbitMQ restart', async () => restartRabbit());
  if (SCENARIOS.includes('postgres')) await restart(`PostgreSQL down ${PG_DOWN_MS / 1000} s`, restartPg);
  if (SCENARIOS.includes('s3-processing') && workload.usesStorage) {
    await restart(`S3 down ${S3_DOWN_MS / 1000} s mid-processing`, async () => {
      await s3.stop();
      await sleep(S3_DOWN_MS);
      await s3.start();
    });
  }
  if (SCENARIOS.includes('s3-upload') && workload.usesStorage) {
    rows.push(await s3MidUpload(cluster, workload, s3, baseline));
    print(rows.at(-1)!);
  }

  await Promise.all(cluster.workers.map((w) => w.stop('SIGTERM')));
  cluster.workers = [];
}

/**
 * S3 stopped while an upload streams in: the upload must fail naming the cause (503
 * STORAGE_UNAVAILABLE) and leave nothing a client can see; the same upload once S3 is back must
 * go through and complete.
 */
async function s3MidUpload(cluster: Cluster, workload: Workload, s3: { stop(): Promise<void>; start(): Promise<void> }, baseline: unknown): Promise<Row> {
  const row = newRow(workload.queue, `S3 down ${S3_DOWN_MS / 1000} s mid-upload`);
  const before = await workload.count(cluster.api);
  const uploading = workload.slowUpload(cluster.api).then(
    (id) => ({ id }),
    (error: unknown) => ({ error }),
  );
  await sleep(600);
  await s3.stop();
  row.faults += 1;
  const outcome = await uploading;
  await sleep(S3_DOWN_MS);
  await s3.start();
  const back = Date.now();
  row.submitted += 1;
  if ('error' in outcome) {
    const error = outcome.error as ApiError;
    const after = await workload.count(cluster.api);
    if (error instanceof ApiError && error.code && after === before) {
      row.failedWithCause += 1;
      row.notes.push(`upload answered ${error.status} ${error.code}; nothing left behind`);
    } else {
      row.lost += 1;
      row.notes.push(`upload failed: ${String(error)}; ${after - before} resources left behind`);
    }
  } else {
    // The upload beat the fault: it must still complete.
    const watcher = new Watcher(cluster.api, workload, [outcome.id]);
    row.submitted -= 1;
    await settle(row, cluster, workload, watcher, baseline);
    row.notes.push('upload finished before S3 went away');
  }
  // The retry a client would make.
  const again = await submitBatch(cluster, workload);
  await recoveryAfter(again, back, row);
  await settle(row, cluster, workload, again, baseline);
  row.notes.push('the same upload retried once S3 was back');
  return row;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const recovery = (r: Row) => (r.recoveries.length ? `${(median(r.recoveries) / 1000).toFixed(1)} s / ${(Math.max(...r.recoveries) / 1000).toFixed(1)} s` : '–');

function print(r: Row): void {
  console.log(
    `${r.queue} | ${r.scenario}: faults ${r.faults}, submitted ${r.submitted}, completed once ${r.completedOnce}, failed with cause ${r.failedWithCause}` +
      `, failed unnamed ${r.failedUnnamed}, lost ${r.lost}, duplicated ${r.duplicated}, progress backwards ${r.backwards}, recovery median/max ${recovery(r)}` +
      (r.notes.length ? ` (${[...new Set(r.notes)].join('; ')})` : ''),
  );
}

function table(rows: Row[]): string {
  const lines = [
    '| queue | fault | faults | submitted | completed once | failed (cause named) | lost | duplicated | progress went back | recovery median / max |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const failed = `${r.failedWithCause}${r.failedUnnamed ? ` (+${r.failedUnnamed} unnamed)` : ''}`;
    lines.push(`| ${r.queue} | ${r.scenario} | ${r.faults} | ${r.submitted} | ${r.completedOnce} | ${failed} | ${r.lost} | ${r.duplicated} | ${r.backwards} | ${recovery(r)} |`);
  }
  return lines.join('\n');
}

/**
 * Per fault row: the recovery median (target < 5 s) with the baseline batch's time as its floor,
 * and lost + duplicated + progress-went-back (target 0).
 */
function benchRows(rows: Row[]): BenchRow[] {
  const out: BenchRow[] = [];
  for (const r of rows) {
    if (r.faults === 0) continue;
    const floor = rows.find((b) => b.queue === r.queue && b.faults === 0 && b.scenario.startsWith('baseline'))?.notes[0] ?? '';
    const integrity = `${r.submitted} submitted, ${r.completedOnce} completed once, ${r.failedWithCause} failed with cause, ${r.lost} lost, ${r.duplicated} duplicated, ${r.backwards} went back`;
    if (r.recoveries.length) {
      const m = median(r.recoveries) / 1000;
      out.push({
        workload: `chaos ${r.queue}, ${r.scenario}: recovery (fault → progress moving again) median`,
        figure: `median ${m.toFixed(1)} s, max ${(Math.max(...r.recoveries) / 1000).toFixed(1)} s over ${r.recoveries.length}`,
        floor: floor && `baseline ${floor}`,
        value: Number(m.toFixed(2)),
        shown: `${m.toFixed(1)} s`,
        target: '< 5',
      });
    }
    out.push({
      workload: `chaos ${r.queue}, ${r.scenario}: lost + duplicated + progress backwards`,
      figure: integrity,
      floor: '',
      value: r.lost + r.duplicated + r.backwards + r.failedUnnamed,
      shown: String(r.lost + r.duplicated + r.backwards + r.failedUnnamed),
      target: '<= 0',
    });
  }
  return out;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'horizon-chaos-'));
  const startedLoad = loadavg()[0];
  const workloads = [jobsWorkload(), ecgWorkload(), tasksWorkload(), transcriptionsWorkload()].filter((w) => QUEUES.includes(w.queue));
  for (const w of workloads) await w.prepare(dir);
  const pg = await startPrivatePostgres(join(dir, 'pg'));
  const rabbitPort = Number(env.CHAOS_RABBITMQ_PORT ?? 5674);
  const rabbit = await startPrivateRabbit({ node: `hzchaos${rabbitPort}@localhost`, port: rabbitPort, distPort: Number(env.CHAOS_RABBITMQ_DIST_PORT ?? 20000 + rabbitPort) });
  const s3 = await startPrivateS3();
  let cluster: Cluster | undefined;
  let db: Client | undefined;
  const rows: Row[] = [];
  try {
    console.log(`private PostgreSQL ${pg.url.replace(/\/\/[^@]*@/, '//')}, RabbitMQ ${rabbit.url.replace(/\/\/[^@]*@/, '//')}, S3 ${s3.endpoint}; load average ${startedLoad.toFixed(2)}`);
    const clusterEnv = {
      DATABASE_URL: pg.url,
      RABBITMQ_URL: rabbit.url,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.credentials.accessKey,
      S3_SECRET_KEY: s3.credentials.secretKey,
      S3_BUCKET: 'chaos',
      DATA_DIR: join(dir, 'data'),
      JWT_SECRET,
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: 'chaos-admin-password',
      LOG_LEVEL: 'warn',
    };
    const apiPort = await freePort();
    const apiProcess = startProcess('src/main.ts', { ...clusterEnv, PORT: String(apiPort) }, { compiled: true });
    const base = `http://127.0.0.1:${apiPort}`;
    await waitForReady(`${base}/health/ready`, apiProcess, 180_000);
    const token = await createBenchUser(base, { username: 'admin', password: 'chaos-admin-password' }, 'chaos-user');
    db = new Client({ connectionString: pg.url });
    await db.connect();
    db.on('error', () => undefined);
    const c: Cluster = { apiProcess, api: apiOf(base, token), env: clusterEnv, workers: [], db: () => db! };
    cluster = c;
    const restartPg = async () => {
      await db!.end().catch(() => undefined);
      await pg.restart(PG_DOWN_MS);
      db = new Client({ connectionString: pg.url });
      db.on('error', () => undefined);
      await db.connect();
    };
    for (const workload of workloads) {
      const t = Date.now();
      await runQueue(c, workload, rows, () => rabbit.restart(), restartPg, s3);
      console.log(`${workload.queue}: ${((Date.now() - t) / 1000).toFixed(0)} s, load average ${loadavg()[0].toFixed(2)}`);
    }
    console.log(`\n${table(rows)}\n\nload average at start ${startedLoad.toFixed(2)}, at end ${loadavg()[0].toFixed(2)}`);
    reportRows(benchRows(rows));
  } finally {
    if (cluster) {
      for (const w of cluster.workers) await w.stop('SIGKILL');
      await cluster.apiProcess.stop();
    }
    await db?.end().catch(() => undefined);
    await pg.stop().catch(() => undefined);
    await rabbit.stop();
    await s3.close();
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
