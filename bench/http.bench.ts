import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { reportRows } from './support/report';

/**
 * `npm run bench:http`: authenticated GET /api/v1/users/me and anonymous GET /health/live on the
 * real app (embedded defaults), against a minimal Nest on Express app answering the same JSON at
 * the same paths without auth, and a bare node:http server, same load, same run. Targets:
 * users/me ≥ 0.7 of Nest hello, health/live ≥ 0.9 of Nest hello.
 * BENCH_CONNECTIONS (default 50) and BENCH_DURATION_S (default 10) tune the load;
 * BENCH_CPU_PROF=<dir> writes a CPU profile of the app's process per load phase there
 * (`users-me.cpuprofile`, `health-live.cpuprofile`; warm-up and startup left out).
 *
 * Every target runs under ts-node with `support/without-repl.js` preloaded: ts-node otherwise
 * loads node:repl and node:domain, which taxes every async operation (a compiled app never has it).
 */
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const duration = Number(process.env.BENCH_DURATION_S ?? 10);

interface Target {
  child: ChildProcess;
  port: number;
  token?: string;
  body?: string;
}

function start(args: string[]): Promise<Target> {
  const child = fork(join(__dirname, 'support', 'http-targets.ts'), args, {
    execArgv: [
      '-r',
      join(__dirname, 'support', 'without-repl.js'),
      '-r',
      'ts-node/register/transpile-only',
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ...(m as Omit<Target, 'child'>) }));
    child.once('exit', (code) => reject(new Error(`benchmark target exited with ${code}`)));
  });
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
}

async function load(port: number, path: string, token?: string): Promise<Figures> {
  const options = {
    url: `http://127.0.0.1:${port}${path}`,
    connections,
    duration,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  };
  await autocannon({ ...options, duration: 2 }); // warm-up (JIT, connection pools)
  const result = await autocannon(options);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${path}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

/** Runs `phase` with the app's CPU profiler on when BENCH_CPU_PROF is set. */
async function profiled<T>(app: Target, name: string, phase: () => Promise<T>): Promise<T> {
  if (!process.env.BENCH_CPU_PROF) return phase();
  const ask = (m: object) => new Promise<void>((resolve) => (app.child.once('message', () => resolve()), app.child.send(m)));
  await ask({ profile: name });
  try {
    return await phase();
  } finally {
    await ask({ stop: true });
  }
}

async function main(): Promise<void> {
  const app = await start(['horizon']);
  const nest = await start(['nest', app.body!]);
  const bare = await start(['bare', app.body!]);
  try {
    const me = await profiled(app, 'users-me', () => load(app.port, '/api/v1/users/me', app.token));
    const helloMe = await load(nest.port, '/api/v1/users/me');
    const live = await profiled(app, 'health-live', () => load(app.port, '/health/live'));
    const helloLive = await load(nest.port, '/health/live');
    const baseline = await load(bare.port, '/api/v1/users/me');
    const fmt = (n: number) => n.toFixed(0).padStart(8);
    const int = (n: number) => Math.round(n).toLocaleString('en-US');
    console.log(`\n${connections} connections, ${duration} s each`);
    console.log(`target                       req/s   p50 ms   p99 ms`);
    console.log(`horizon /api/v1/users/me ${fmt(me.rps)} ${fmt(me.p50)} ${fmt(me.p99)}`);
    console.log(`nest    /api/v1/users/me ${fmt(helloMe.rps)} ${fmt(helloMe.p50)} ${fmt(helloMe.p99)}`);
    console.log(`horizon /health/live     ${fmt(live.rps)} ${fmt(live.p50)} ${fmt(live.p99)}`);
    console.log(`nest    /health/live     ${fmt(helloLive.rps)} ${fmt(helloLive.p50)} ${fmt(helloLive.p99)}`);
    console.log(`bare node:http           ${fmt(baseline.rps)} ${fmt(baseline.p50)} ${fmt(baseline.p99)}`);
    const meRatio = me.rps / helloMe.rps;
    const liveRatio = live.rps / helloLive.rps;
    reportRows([
      {
        workload: `GET /api/v1/users/me, ${connections} connections`,
        figure: `${int(me.rps)} req/s, p99 ${me.p99} ms`,
        floor: `Nest hello ${int(helloMe.rps)} req/s (bare node:http ${int(baseline.rps)})`,
        value: meRatio,
        shown: meRatio.toFixed(2),
        target: '>= 0.7',
      },
      {
        workload: `GET /health/live, ${connections} connections`,
        figure: `${int(live.rps)} req/s, p99 ${live.p99} ms`,
        floor: `Nest hello ${int(helloLive.rps)} req/s`,
        value: liveRatio,
        shown: liveRatio.toFixed(2),
        target: '>= 0.9',
      },
    ]);
  } finally {
    app.child.disconnect();
    nest.child.kill();
    bare.child.kill();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
