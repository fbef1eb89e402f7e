import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { syntheticEcg } from '../test/factories/ecg-signal.factory';
import { runAnalyses } from '../src/modules/ecg/analyses';
import { reportRows } from './support/report';

/**
 * `npm run bench:ecg`: submits BENCH_ECGS (200) ECGs of 12 leads × 5,000 samples (10 s at 500 Hz)
 * with BENCH_CONCURRENCY (8) requests in flight, and measures how fast the API accepts them, how
 * fast they complete, and each one's submit → completed latency. Completion is read from the
 * list route (one GET every 50 ms for all ECGs, so polling does not compete with the worker) and
 * timed by each ECG's `processed_at` (same machine, same clock).
 * The baseline is the analysis alone: `runAnalyses` on the same ECG in this process.
 * BENCH_DATABASE_URL / BENCH_RABBITMQ_URL switch to a real PostgreSQL / RabbitMQ (see support/ecg-target.ts).
 * BENCH_CPU_PROF=<dir> writes the target's CPU profiles there (main thread and analysis threads);
 * `node bench/support/cpu-profile.js <file>` lists their top frames.
 */
const TOTAL = Number(process.env.BENCH_ECGS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const WARM_UP = 16;
const LEAD_NAMES = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
const SAMPLES = 5000;
const RATE_HZ = 500;
const TIMEOUT_MS = 300_000;

interface Target {
  child: ChildProcess;
  port: number;
  token: string;
  mode: string;
}

function start(): Promise<Target> {
  const child = fork(join(__dirname, 'support', 'ecg-target.ts'), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ...(m as Omit<Target, 'child'>) }));
    child.once('exit', (code) => reject(new Error(`benchmark target exited with ${code}`)));
  });
}

function leads(): { name: string; samples: Int32Array }[] {
  return LEAD_NAMES.map((name, i) => ({
    name,
    samples: syntheticEcg({ bpm: 72, samplingRateHz: RATE_HZ, durationS: SAMPLES / RATE_HZ, noiseAmplitude: 30, seed: i + 1, invert: name === 'aVR' }),
  }));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const ecgLeads = leads();
  // The body is built once; only the id changes, so the client's JSON work stays out of the figures.
  const leadsJson = JSON.stringify(ecgLeads.map(({ name, samples }) => ({ name, number_of_samples: samples.length, signal: Array.from(samples) })));
  const bodyFor = (id: string) => `{"id":"${id}","date":"2025-11-22T10:15:00Z","sampling_rate_hz":${RATE_HZ},"leads":${leadsJson}}`;

  const analysisRuns = 50;
  const analysisStarted = performance.now();
  for (let i = 0; i < analysisRuns; i++) runAnalyses(ecgLeads, { samplingRateHz: RATE_HZ });
  const analysisMs = (performance.now() - analysisStarted) / analysisRuns;

  const target = await start();
  const base = `http://127.0.0.1:${target.port}/api/v1/ecgs`;
  const auth = { authorization: `Bearer ${target.token}` };
  try {
    const submitMany = async (ids: string[]) => {
      const sentAt = new Map<string, number>();
      const roundTrips: number[] = [];
      let next = 0;
      const workers = Array.from({ length: CONCURRENCY }, async () => {
        while (next < ids.length) {
          const id = ids[next++];
          const sent = Date.now();
          sentAt.set(id, sent);
          const res = await fetch(base, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: bodyFor(id) });
          await res.arrayBuffer();
          if (res.status !== 202) throw new Error(`POST ${id}: ${res.status}`);
          roundTrips.push(Date.now() - sent);
        }
      });
      await Promise.all(workers);
      return { sentAt, roundTrips };
    };
    const waitCompleted = async (ids: Set<string>) => {
      const processedAt = new Map<string, number>();
      const deadline = Date.now() + TIMEOUT_MS;
      while (processedAt.size < ids.size) {
        if (Date.now() > deadline) throw new Error(`${ids.size - processedAt.size} ECGs not completed within ${TIMEOUT_MS} ms`);
        const res = await fetch(`${base}?limit=500`, { headers: auth });
        const page = (await res.json()) as { items: { id: string; status: string; processed_at: string | null }[] };
        for (const item of page.items) {
          if (!ids.has(item.id) || processedAt.has(item.id)) continue;
          if (item.status === 'failed') throw new Error(`ECG ${item.id} failed`);
          if (item.status === 'completed') processedAt.set(item.id, Date.parse(item.processed_at!));
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return processedAt;
    };

    // Warm-up: JIT, connection pools, the broker's channels.
    const warmIds = Array.from({ length: WARM_UP }, (_, i) => `warm-${i}`);
    await submitMany(warmIds);
    await waitCompleted(new Set(warmIds));

    const ids = Array.from({ length: TOTAL }, (_, i) => `bench-${i}`);
    const startedAt = Date.now();
    const { sentAt, roundTrips } = await submitMany(ids);
    const acceptedMs = Date.now() - startedAt;
    const processedAt = await waitCompleted(new Set(ids));

    const lastCompleted = Math.max(...processedAt.values());
    const latencies = ids.map((id) => processedAt.get(id)! - sentAt.get(id)!).sort((a, b) => a - b);
    roundTrips.sort((a, b) => a - b);
    const acceptedPerS = TOTAL / (acceptedMs / 1000);
    const completedPerS = TOTAL / ((lastCompleted - startedAt) / 1000);
    const bodyMb = Buffer.byteLength(bodyFor('bench-000')) / 1e6;

    console.log(`\nECG pipeline: ${TOTAL} ECGs of ${LEAD_NAMES.length} leads × ${SAMPLES} samples (${bodyMb.toFixed(2)} MB JSON each), ${CONCURRENCY} in flight`);
    console.log(`target: ${target.mode}`);
    console.log(`accepted          ${acceptedPerS.toFixed(1).padStart(8)} ECG/s   POST 202 p50 ${percentile(roundTrips, 50)} ms, p99 ${percentile(roundTrips, 99)} ms`);
    console.log(`completed         ${completedPerS.toFixed(1).padStart(8)} ECG/s   submit → completed p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms`);
    console.log(`baseline analysis ${(1000 / analysisMs).toFixed(1).padStart(8)} ECG/s   runAnalyses alone, ${analysisMs.toFixed(1)} ms per ECG on one core`);
    console.log(
      `ecg: accepted ${acceptedPerS.toFixed(1)}/s, completed ${completedPerS.toFixed(1)}/s, submit→completed p50 ${percentile(latencies, 50)} ms p99 ${percentile(latencies, 99)} ms ` +
        `(analysis alone ${(1000 / analysisMs).toFixed(0)}/s; ${target.mode})`,
    );
    const analysisPerS = 1000 / analysisMs;
    const workload = `ECG pipeline, ${TOTAL} ECGs of ${LEAD_NAMES.length} × ${SAMPLES} samples, ${CONCURRENCY} in flight`;
    reportRows([
      {
        workload,
        figure: `${completedPerS.toFixed(1)} completed/s`,
        floor: `analysis alone ${analysisPerS.toFixed(0)}/s`,
        value: completedPerS / analysisPerS,
        shown: (completedPerS / analysisPerS).toFixed(2),
        target: '>= 0.5',
      },
      {
        workload: `${workload}, POST 202 p50`,
        figure: `${percentile(roundTrips, 50)} ms (p99 ${percentile(roundTrips, 99)} ms)`,
        floor: '',
        value: percentile(roundTrips, 50),
        shown: `${percentile(roundTrips, 50)} ms`,
        target: '< 50',
      },
    ]);
  } finally {
    target.child.disconnect();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
