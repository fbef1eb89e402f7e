import { Readable } from 'node:stream';
import { splitLines } from '../src/modules/jobs/ingest/line-splitter';
import { isBlankLine, parseLogLine } from '../src/modules/jobs/ingest/log-line.validator';

/**
 * `npx ts-node --transpile-only bench/log-validator.bench.ts`: the ingest worker's per-line hot
 * path (split a byte stream into lines, validate each) on a generated `.jsonl` file, against
 * plain JSON.parse of the same lines as the floor no validator can beat, same run.
 * BENCH_LINES (default 500000) and BENCH_RUNS (default 5, the median is printed) tune it.
 */
const lineCount = Number(process.env.BENCH_LINES ?? 500_000);
const runs = Number(process.env.BENCH_RUNS ?? 5);
// What object storage streams typically hand over per chunk.
const CHUNK_BYTES = 64 * 1024;
const MAX_LINE_BYTES = 1024 * 1024;

// Deterministic, so runs on different machines measure the same file.
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generateLines(count: number): string[] {
  const random = mulberry32(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const levels = ['INFO', 'INFO', 'INFO', 'info', 'DEBUG', 'debug', 'WARNING', 'WARN', 'warn', 'ERROR', 'error', 'CRITICAL', 'FATAL'];
  const services = ['api', 'auth', 'billing', 'worker', 'gateway', null, undefined];
  const paths = ['/api/v1/users/me', '/api/v1/jobs', '/api/v1/files/upload', '/health', '/api/v1/tasks/42'];
  const messages = [
    'request completed',
    'user logged in',
    'cache miss for key session:%s',
    'upstream timeout after 30000 ms, retrying',
    'payment declined: insufficient funds',
    'Verbindung zum Server unterbrochen — erneuter Versuch',
    'job finished in 1.2 s',
  ];
  const invalid = [
    () => 'plain text log line that is not JSON at all',
    () => '{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"trunc',
    () => '["not","an","object"]',
    () => JSON.stringify({ timestamp: 'yesterday', level: 'INFO', message: 'bad time' }),
    () => JSON.stringify({ timestamp: '2024-05-01T12:00:00', level: 'INFO', message: 'no zone' }),
    () => JSON.stringify({ timestamp: '2024-05-01T12:00:00Z', level: 'VERBOSE', message: 'bad level' }),
    () => JSON.stringify({ timestamp: '2024-05-01T12:00:00Z', level: 'INFO' }),
    () => JSON.stringify({ timestamp: 1714564800000, level: 'INFO', message: 'epoch' }),
    () => JSON.stringify({ timestamp: '2024-05-01T12:00:00Z', level: 'INFO', message: 'svc', service: 7 }),
  ];

  const start = Date.UTC(2024, 4, 1);
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1) {
    if (random() < 0.05) {
      lines.push(pick(invalid)());
      continue;
    }
    const instant = new Date(start + i * 137 + Math.floor(random() * 100));
    const timestamp = random() < 0.8 ? instant.toISOString() : instant.toISOString().replace('Z', '+00:00');
    const entry: Record<string, unknown> = { timestamp, level: pick(levels), message: pick(messages) };
    const service = pick(services);
    if (service !== undefined) entry.service = service;
    if (random() < 0.7) {
      entry.request_id = `req-${Math.floor(random() * 1e9).toString(36)}`;
      entry.http = { method: pick(['GET', 'POST', 'DELETE']), path: pick(paths), status: pick([200, 201, 204, 404, 500]) };
      entry.duration_ms = Math.round(random() * 5000) / 10;
    }
    if (random() < 0.2) entry.user = { id: Math.floor(random() * 1e6), roles: ['user'] };
    if (random() < 0.05) entry.stack = 'Error: boom\n    at handler (/app/dist/main.js:1:2)\n'.repeat(5);
    lines.push(JSON.stringify(entry));
  }
  return lines;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeJsonParse(lines: string[]): { seconds: number; valid: number } {
  const startedAt = process.hrtime.bigint();
  let valid = 0;
  for (const line of lines) {
    try {
      JSON.parse(line);
      valid += 1;
    } catch {
      // Counted below as invalid; the baseline only needs the parse cost.
    }
  }
  return { seconds: Number(process.hrtime.bigint() - startedAt) / 1e9, valid };
}

async function timeSplitAndValidate(chunks: Buffer[]): Promise<{ seconds: number; accepted: number; rejected: number }> {
  const startedAt = process.hrtime.bigint();
  let accepted = 0;
  let rejected = 0;
  for await (const line of splitLines(Readable.from(chunks), { maxLineBytes: MAX_LINE_BYTES })) {
    if ('tooLong' in line) {
      rejected += 1;
      continue;
    }
    if (isBlankLine(line.text)) continue;
    if (parseLogLine(line.text).ok) accepted += 1;
    else rejected += 1;
  }
  return { seconds: Number(process.hrtime.bigint() - startedAt) / 1e9, accepted, rejected };
}

async function main(): Promise<void> {
  const lines = generateLines(lineCount);
  const file = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < file.length; offset += CHUNK_BYTES) chunks.push(file.subarray(offset, offset + CHUNK_BYTES));

  // Warm-up, so both sides are measured with optimised code.
  timeJsonParse(lines);
  await timeSplitAndValidate(chunks);

  const baseline: number[] = [];
  const ours: number[] = [];
  let outcome = { accepted: 0, rejected: 0 };
  for (let run = 0; run < runs; run += 1) {
    baseline.push(timeJsonParse(lines).seconds);
    const result = await timeSplitAndValidate(chunks);
    ours.push(result.seconds);
    outcome = result;
  }

  const baselineRate = lineCount / median(baseline);
  const oursRate = lineCount / median(ours);
  const mb = (file.length / 1024 / 1024).toFixed(1);
  console.log(`${lineCount} lines, ${mb} MiB, ${outcome.accepted} accepted, ${outcome.rejected} rejected; median of ${runs} runs, Node ${process.version}`);
  console.log(`  JSON.parse of pre-split strings (baseline): ${Math.round(baselineRate).toLocaleString('en')} lines/s`);
  console.log(`  splitLines + parseLogLine over a stream:    ${Math.round(oursRate).toLocaleString('en')} lines/s`);
  console.log(`  ratio: ${(oursRate / baselineRate).toFixed(2)} of the baseline`);
}

void main();
