import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { met, parseRows, type BenchRow } from './support/report';

/**
 * `npm run bench`: every performance benchmark of docs/performance.md in turn (one at a time, so
 * they do not share the two cores), then one table: workload, figure, floor in the same run,
 * ratio, target, met or missed. BENCH_ONLY=http,series runs a subset. The machine's load average
 * is printed before and after: figures from a loaded machine are not comparable.
 */
const BENCHES = ['http', 'series', 'ecg', 'ingest', 'tasks'];

function run(name: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', `bench:${name}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
  const names = only ? BENCHES.filter((b) => only.includes(b)) : BENCHES;
  const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');
  const before = load();
  const rows: (BenchRow & { bench: string })[] = [];
  const failed: string[] = [];
  for (const name of names) {
    console.log(`\n== npm run bench:${name}`);
    const { code, output } = await run(name);
    if (code !== 0) failed.push(name);
    rows.push(...parseRows(output).map((r) => ({ ...r, bench: name })));
  }
  const table = [
    '| bench | workload | figure | floor (same run) | ratio / figure | target | |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.bench} | ${r.workload} | ${r.figure} | ${r.floor || '–'} | ${r.shown} | ${r.target} | ${met(r.value, r.target) ? 'met' : '**missed**'} |`),
  ];
  console.log(`\nnpm run bench on ${new Date().toISOString()}, load average before ${before}, after ${load()}\n`);
  console.log(table.join('\n'));
  const missed = rows.filter((r) => !met(r.value, r.target)).length;
  console.log(`\n${rows.length - missed} of ${rows.length} targets met${failed.length ? `; benchmarks that failed: ${failed.join(', ')}` : ''}`);
  if (failed.length) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
