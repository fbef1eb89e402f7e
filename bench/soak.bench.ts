import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { io, type Socket } from 'socket.io-client';
import { audioFixture } from '../test/factories/audio-fixtures';
import { astronautJpeg } from '../test/factories/task-media.factory';
import { reportRows } from './support/report';

/**
 * `npm run bench:soak`: the app as `npm start` runs it (one process, embedded PostgreSQL,
 * in-process queue; in a child process so that the load generator's own memory is not in the
 * figures) under a steady mixed load for SOAK_MINUTES (15): every workload uploaded (log files,
 * ECGs, series with metrics, image tasks, transcriptions), list and detail reads, and
 * SOAK_WATCHERS (200) Socket.IO clients subscribing to what is submitted. Per minute: the app's
 * RSS, its heap after a full GC, the event-loop delay p99 and the p99 of every HTTP request; then
 * the slopes after SOAK_WARMUP_MINUTES (1) and the p99 spread. Targets: no upward RSS trend after
 * warm-up, p99 within 1.5× (max / min minute). SOAK_RPS (8) sets the request rate;
 * SOAK_HEAP_SNAPSHOTS=1 writes heap snapshots after warm-up and at the end and prints the
 * constructors whose retained size grew most; SOAK_PLOT (docs/reliability-soak.png) the plot.
 */
const MINUTES = Number(process.env.SOAK_MINUTES ?? 15);
const WARMUP = Number(process.env.SOAK_WARMUP_MINUTES ?? 1);
const WATCHERS = Number(process.env.SOAK_WATCHERS ?? 200);
const RPS = Number(process.env.SOAK_RPS ?? 8);
// Past this many requests in flight a tick is skipped (and counted): an overloaded machine then
// shows as fewer requests, not as a backlog growing in the app's memory.
const MAX_IN_FLIGHT = Number(process.env.SOAK_MAX_IN_FLIGHT ?? 16);
const SNAPSHOTS = process.env.SOAK_HEAP_SNAPSHOTS === '1';
const PLOT = process.env.SOAK_PLOT ?? join(__dirname, '..', 'docs', 'reliability-soak.png');
const MiB = 1024 * 1024;

interface Stats {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  loopP99Ms: number;
  loopMaxMs: number;
}

interface Minute {
  minute: number;
  stats: Stats;
  requests: number;
  errors: number;
  p99Ms: number;
  events: number;
  skipped: number;
  backlog: number;
  load: number;
  benchRss: number;
}

class Target {
  private constructor(
    readonly child: ChildProcess,
    readonly base: string,
    readonly token: string,
  ) {}

  static start(): Promise<Target> {
    const child = fork(join(__dirname, 'support', 'soak-target.ts'), [], {
      execArgv: ['-r', 'ts-node/register/transpile-only', '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('message', (m) => {
        const { port, token } = m as { port: number; token: string };
        resolve(new Target(child, `http://127.0.0.1:${port}`, token));
      });
      child.once('exit', (code) => reject(new Error(`soak target exited with ${code}`)));
    });
  }

  ask<T>(message: unknown): Promise<T> {
    return new Promise((resolve) => {
      this.child.once('message', (m) => resolve(m as T));
      this.child.send(message as string);
    });
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Least-squares slope of `ys` per step. */
function slope(ys: number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

/** The mixed load: each call does one user action and records its requests' latencies. */
class Load {
  latencies: number[] = [];
  /** Every latency after warm-up with its route template, for the breakdown of what makes the p99. */
  readonly byKind = new Map<string, number[]>();
  recordKinds = false;
  errors = 0;
  private n = 0;
  private readonly logFile = Buffer.from(
    Array.from({ length: 200 }, (_, i) => `{"timestamp":"2026-11-22T10:00:${String(i % 60).padStart(2, '0')}Z","level":"INFO","service":"svc${i % 5}","message":"soak ${i}"}`).join('\n'),
  );
  private readonly image = astronautJpeg();
  private readonly audio = audioFixture('fox.wav');
  readonly submitted: { resource: string; id: string }[] = [];
  submittedCount = 0;

  constructor(private readonly target: Target) {}

  private async request(method: string, path: string, body?: RequestInit['body'], type?: string): Promise<Record<string, unknown> | undefined> {
    const started = performance.now();
    try {
      const res = await fetch(this.target.base + path, {
        method,
        headers: { authorization: `Bearer ${this.target.token}`, ...(type ? { 'content-type': type } : {}) },
        body,
      });
      const text = await res.text();
      const ms = performance.now() - started;
      this.latencies.push(ms);
      if (this.recordKinds) {
        const kind = `${method} ${path.replace(/\/[0-9a-f-]{36}|\/\d+(?=\/|$)|\/soak-\d+|\?.*$/g, (m) => (m.startsWith('?') ? '' : '/:id'))}`;
        const list = this.byKind.get(kind) ?? [];
        list.push(ms);
        this.byKind.set(kind, list);
      }
      if (res.status >= 400) {
        this.errors += 1;
        return undefined;
      }
      return text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      this.errors += 1;
      return undefined;
    }
  }

  private form(bytes: Buffer, name: string): FormData {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)]), name);
    return form;
  }

  async step(): Promise<void> {
    const n = (this.n += 1);
    const roll = n % 100;
    if (roll < 45) {
      const list = ['/api/v1/jobs', '/api/v1/ecgs', '/api/v1/series', '/api/v1/tasks', '/api/v1/transcriptions', '/health/ready'][n % 6];
      await this.request('GET', list);
      const recent = this.submitted.at(-1 - (n % 10));
      if (recent) await this.request('GET', `/api/v1/${recent.resource}s/${recent.id}`);
    } else if (roll < 65) {
      const id = `soak-${n}`;
      await this.request('POST', '/api/v1/ecgs', JSON.stringify({ id, date: '2026-11-22T10:00:00Z', sampling_rate_hz: 250, leads: [{ name: 'I', signal: Array.from({ length: 2500 }, (_, i) => Math.round(500 * Math.sin(i / 10))) }] }), 'application/json');
      this.track('ecg', id);
    } else if (roll < 82) {
      const series = await this.request('POST', '/api/v1/series', JSON.stringify({ name: `soak ${n}`, start: '2026-11-22T10:00:00Z', sampling_rate_hz: 10, values: Array.from({ length: 500 }, (_, i) => Math.sin(i / 7) + i / 100) }), 'application/json');
      if (series?.id) {
        await this.request('GET', `/api/v1/series/${String(series.id)}/metrics`);
        await this.request('GET', `/api/v1/series/${String(series.id)}/forecast?horizon=10`);
        await this.request('DELETE', `/api/v1/series/${String(series.id)}`);
      }
    } else if (roll < 96) {
      const job = await this.request('POST', '/api/v1/files/upload', this.form(this.logFile, `soak-${n}.jsonl`));
      if (job?.job_id) this.track('job', String(job.job_id));
    } else if (roll < 98) {
      const task = await this.request('POST', '/api/v1/tasks', JSON.stringify({ file_name: 'soak.jpg', media_type: 'image', objects: ['face'] }), 'application/json');
      if (task?.id) {
        await this.request('PUT', `/api/v1/tasks/${String(task.id)}/file`, new Uint8Array(this.image), 'image/jpeg');
        this.track('task', String(task.id));
      }
    } else {
      const t = await this.request('POST', '/api/v1/transcriptions', this.form(this.audio, 'fox.wav'));
      if (t?.id) this.track('transcription', String(t.id));
    }
  }

  private track(resource: string, id: string): void {
    this.submitted.push({ resource, id });
    this.submittedCount += 1;
    if (this.submitted.length > 50) this.submitted.shift();
    this.onSubmitted?.(resource, id);
  }

  onSubmitted?: (resource: string, id: string) => void;
}

/** SOAK_WATCHERS Socket.IO clients; each submission is watched by three of them until it ends. */
async function startWatchers(target: Target): Promise<{ sockets: Socket[]; events: () => number; finished: Set<string>; watch(resource: string, id: string): void }> {
  let events = 0;
  const finished = new Set<string>();
  const sockets: Socket[] = [];
  for (let i = 0; i < WATCHERS; i += 1) {
    const socket = io(target.base, { auth: { token: target.token }, transports: ['websocket'], forceNew: true });
    socket.on('status', (event: { resource: string; id: string; status: string }) => {
      events += 1;
      if (['completed', 'failed', 'processed'].includes(event.status)) finished.add(`${event.resource}/${event.id}`);
      if (['completed', 'failed', 'processed'].includes(event.status)) socket.emit('unsubscribe', { resource: event.resource, id: event.id }, () => undefined);
    });
    sockets.push(socket);
  }
  await Promise.all(sockets.map((s) => (s.connected ? undefined : new Promise<void>((resolve) => s.once('connect', () => resolve())))));
  let next = 0;
  return {
    sockets,
    events: () => events,
    finished,
    watch: (resource, id) => {
      for (let k = 0; k < 3; k += 1) sockets[(next += 1) % sockets.length].emit('subscribe', { resource, id }, () => undefined);
    },
  };
}

/** Retained size per constructor in a heap snapshot (node type + name). */
function heapSummary(file: string): Map<string, { count: number; size: number }> {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const summary = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const type = types[snapshot.nodes[i + typeAt]];
    const name = ['object', 'closure', 'native'].includes(type) ? snapshot.strings[snapshot.nodes[i + nameAt]] : `(${type})`;
    const entry = summary.get(name) ?? { count: 0, size: 0 };
    entry.count += 1;
    entry.size += snapshot.nodes[i + sizeAt];
    summary.set(name, entry);
  }
  return summary;
}

async function plot(minutes: Minute[]): Promise<void> {
  const W = 760;
  const H = 360;
  const pad = { l: 60, r: 60, t: 30, b: 40 };
  const xs = (i: number) => pad.l + (i / Math.max(1, minutes.length - 1)) * (W - pad.l - pad.r);
  const maxMem = Math.max(...minutes.map((m) => m.stats.rss / MiB)) * 1.1;
  const maxP99 = Math.max(...minutes.map((m) => m.p99Ms), 1) * 1.1;
  const line = (values: number[], max: number, color: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${values.map((v, i) => `${xs(i).toFixed(1)},${(H - pad.b - (v / max) * (H - pad.t - pad.b)).toFixed(1)}`).join(' ')}"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#888"/>
<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="#888"/>
<line x1="${W - pad.r}" y1="${pad.t}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#888"/>
<text x="${pad.l}" y="18">soak: ${minutes.length} min, ${RPS} req/s target, ${WATCHERS} Socket.IO watchers</text>
<text x="${pad.l - 50}" y="${pad.t + 10}" fill="#1f6feb">${maxMem.toFixed(0)} MiB</text>
<text x="${W - pad.r + 5}" y="${pad.t + 10}" fill="#d73a49">${maxP99.toFixed(0)} ms</text>
<text x="${W / 2 - 20}" y="${H - 10}">minute</text>
${line(minutes.map((m) => m.stats.rss / MiB), maxMem, '#1f6feb')}
${line(minutes.map((m) => m.stats.heapUsed / MiB), maxMem, '#2da44e')}
${line(minutes.map((m) => m.p99Ms), maxP99, '#d73a49')}
<text x="${pad.l + 10}" y="${pad.t + 20}" fill="#1f6feb">RSS</text>
<text x="${pad.l + 50}" y="${pad.t + 20}" fill="#2da44e">heap after GC</text>
<text x="${pad.l + 150}" y="${pad.t + 20}" fill="#d73a49">HTTP p99 (right axis)</text>
</svg>`;
  await sharp(Buffer.from(svg)).png().toFile(PLOT);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'horizon-soak-'));
  const target = await Target.start();
  const watchers = await startWatchers(target);
  const load = new Load(target);
  load.onSubmitted = (resource, id) => watchers.watch(resource, id);
  console.log(`soak: ${MINUTES} min at ${RPS} req/s, ${WATCHERS} watchers, load average ${loadavg()[0].toFixed(2)}`);

  let running = true;
  let skipped = 0;
  const inFlight = new Set<Promise<void>>();
  const driver = (async () => {
    const interval = 1000 / RPS;
    let next = performance.now();
    while (running) {
      // Open loop: a slow server gets more concurrent requests, as with real clients.
      if (inFlight.size < MAX_IN_FLIGHT) {
        const p = load.step().finally(() => inFlight.delete(p));
        inFlight.add(p);
      } else skipped += 1;
      next += interval;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    }
  })();

  const minutes: Minute[] = [];
  let snapshotStart: string | undefined;
  await target.ask<Stats>('stats');
  let eventsBefore = 0;
  for (let minute = 1; minute <= MINUTES; minute += 1) {
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    const stats = await target.ask<Stats>('stats');
    const latencies = load.latencies;
    load.latencies = [];
    const errors = load.errors;
    load.errors = 0;
    const m: Minute = {
      minute,
      stats,
      requests: latencies.length,
      errors,
      p99Ms: percentile(latencies, 99),
      events: watchers.events() - eventsBefore,
      skipped,
      backlog: load.submittedCount - watchers.finished.size,
      load: loadavg()[0],
      benchRss: process.memoryUsage().rss,
    };
    skipped = 0;
    eventsBefore = watchers.events();
    minutes.push(m);
    if (minute === WARMUP) load.recordKinds = true;
    console.log(
      `minute ${minute}: RSS ${(stats.rss / MiB).toFixed(1)} MiB, heap after GC ${(stats.heapUsed / MiB).toFixed(1)} MiB, external ${(stats.external / MiB).toFixed(1)} MiB, ` +
        `loop delay p99 ${stats.loopP99Ms.toFixed(1)} ms (max ${stats.loopMaxMs.toFixed(0)}), requests ${m.requests} (${errors} errors), HTTP p99 ${m.p99Ms.toFixed(0)} ms, ` +
        `events ${m.events}, ticks skipped ${m.skipped}, unfinished work ${m.backlog}; bench RSS ${(m.benchRss / MiB).toFixed(0)} MiB; load average ${m.load.toFixed(2)}`,
    );
    if (SNAPSHOTS && minute === WARMUP) snapshotStart = (await target.ask<{ snapshot: string }>({ snapshot: join(dir, 'warm.heapsnapshot') })).snapshot;
  }
  let snapshotEnd: string | undefined;
  if (SNAPSHOTS) snapshotEnd = (await target.ask<{ snapshot: string }>({ snapshot: join(dir, 'end.heapsnapshot') })).snapshot;
  running = false;
  await driver;
  await Promise.all(inFlight);

  const after = minutes.filter((m) => m.minute > WARMUP);
  const rssSlope = slope(after.map((m) => m.stats.rss / MiB));
  const heapSlope = slope(after.map((m) => m.stats.heapUsed / MiB));
  const p99s = after.map((m) => m.p99Ms);
  const spread = Math.max(...p99s) / Math.max(1, Math.min(...p99s));
  console.log('\n| minute | RSS MiB | heap after GC MiB | loop delay p99 ms | HTTP p99 ms | requests | errors | skipped | unfinished | events | load avg |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const m of minutes) {
    console.log(
      `| ${m.minute} | ${(m.stats.rss / MiB).toFixed(1)} | ${(m.stats.heapUsed / MiB).toFixed(1)} | ${m.stats.loopP99Ms.toFixed(1)} | ${m.p99Ms.toFixed(0)} | ${m.requests} | ${m.errors} | ${m.skipped} | ${m.backlog} | ${m.events} | ${m.load.toFixed(2)} |`,
    );
  }
  console.log(
    `\nafter ${WARMUP} min warm-up: RSS slope ${rssSlope.toFixed(2)} MiB/min, heap-after-GC slope ${heapSlope.toFixed(2)} MiB/min, ` +
      `loop delay p99 slope ${slope(after.map((m) => m.stats.loopP99Ms)).toFixed(2)} ms/min, HTTP p99 slope ${slope(p99s).toFixed(1)} ms/min, p99 spread ${spread.toFixed(2)}× (target ≤ 1.5×)`,
  );
  const lowest = Math.min(...p99s);
  reportRows([
    {
      workload: `soak ${MINUTES} min, ${RPS} req/s + ${WATCHERS} watchers: HTTP p99 per minute after ${WARMUP} min warm-up`,
      figure: `p99 ${lowest.toFixed(0)}–${Math.max(...p99s).toFixed(0)} ms`,
      floor: `best minute ${lowest.toFixed(0)} ms`,
      value: Number(spread.toFixed(2)),
      shown: `${spread.toFixed(2)}×`,
      target: '<= 1.5',
    },
    {
      // "No upward trend": under 0.5 MiB/min, i.e. < 7.5 MiB over 15 minutes, within RSS noise.
      workload: `soak ${MINUTES} min: RSS slope after ${WARMUP} min warm-up`,
      figure: `RSS ${(after[0].stats.rss / MiB).toFixed(0)} → ${(after.at(-1)!.stats.rss / MiB).toFixed(0)} MiB, heap-after-GC slope ${heapSlope.toFixed(2)} MiB/min`,
      floor: '',
      value: Number(rssSlope.toFixed(2)),
      shown: `${rssSlope.toFixed(2)} MiB/min`,
      target: '<= 0.5',
    },
  ]);
  // What the slowest 1 % after warm-up are made of, per route: the p99 per minute is the 10th
  // slowest of ~950 requests, so a handful of slow kinds decide it.
  const all = [...load.byKind.values()].flat();
  const cut = percentile(all, 99);
  console.log(`\nrequests after warm-up by route (the slowest 1 %: over ${cut.toFixed(0)} ms):`);
  console.log('| route | requests | p50 ms | p99 ms | max ms | in the slowest 1 % |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [kind, list] of [...load.byKind.entries()].sort((a, b) => percentile(b[1], 99) - percentile(a[1], 99))) {
    const slow = list.filter((ms) => ms > cut).length;
    console.log(`| ${kind} | ${list.length} | ${percentile(list, 50).toFixed(0)} | ${percentile(list, 99).toFixed(0)} | ${Math.max(...list).toFixed(0)} | ${slow} |`);
  }
  if (snapshotStart && snapshotEnd) {
    const [a, b] = [heapSummary(snapshotStart), heapSummary(snapshotEnd)];
    const growth = [...b.entries()]
      .map(([name, v]) => ({ name, count: v.count - (a.get(name)?.count ?? 0), size: v.size - (a.get(name)?.size ?? 0) }))
      .sort((x, y) => y.size - x.size)
      .slice(0, 12);
    console.log('\nheap growth between warm-up and end (self size, after GC):');
    for (const g of growth) console.log(`  ${g.name.slice(0, 60)}: ${g.count >= 0 ? '+' : ''}${g.count} objects, ${(g.size / 1024).toFixed(0)} KiB`);
  }
  if (minutes.length > 1) {
    await plot(minutes);
    console.log(`plot: ${PLOT}`);
  }
  for (const s of watchers.sockets) s.close();
  target.child.disconnect();
  await new Promise((resolve) => target.child.once('exit', resolve));
  await rm(dir, { recursive: true, force: true });
}

void main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
