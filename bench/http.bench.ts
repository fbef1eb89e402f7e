import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';

/**
 * `npm run bench:http`: authenticated GET /api/v1/users/me on the real app (embedded
 * defaults), against a minimal Nest on Express app and a bare node:http server answering the
 * same JSON without auth, same load, same run. The budget is horizon / nest ≥ 0.7.
 * BENCH_CONNECTIONS (default 50) and BENCH_DURATION_S (default 10) tune the load.
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
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ...(m as Omit<Target, 'child'>) }));
    child.once('exit', (code) => reject(new Error(`benchmark target exited with ${code}`)));
  });
}

async function load(port: number, token?: string) {
  const options = {
    url: `http://127.0.0.1:${port}/api/v1/users/me`,
    connections,
    duration,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  };
  await autocannon({ ...options, duration: 2 }); // warm-up (JIT, connection pools)
  const result = await autocannon(options);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

async function main(): Promise<void> {
  const app = await start(['horizon']);
  const nest = await start(['nest', app.body!]);
  const bare = await start(['bare', app.body!]);
  try {
    const horizon = await load(app.port, app.token);
    const hello = await load(nest.port);
    const baseline = await load(bare.port);
    const fmt = (n: number) => n.toFixed(0).padStart(8);
    console.log(`\nGET /api/v1/users/me, ${connections} connections, ${duration} s each`);
    console.log(`target        req/s   p50 ms   p99 ms`);
    console.log(`horizon   ${fmt(horizon.rps)} ${fmt(horizon.p50)} ${fmt(horizon.p99)}`);
    console.log(`nest      ${fmt(hello.rps)} ${fmt(hello.p50)} ${fmt(hello.p99)}`);
    console.log(`bare http ${fmt(baseline.rps)} ${fmt(baseline.p50)} ${fmt(baseline.p99)}`);
    console.log(
      `http: ${horizon.rps.toFixed(0)} req/s (p50 ${horizon.p50} ms, p99 ${horizon.p99} ms), ` +
        `nest hello ${hello.rps.toFixed(0)} req/s, bare node:http ${baseline.rps.toFixed(0)} req/s; ` +
        `ratio to nest ${(horizon.rps / hello.rps).toFixed(2)} (budget >= 0.7), to bare ${(horizon.rps / baseline.rps).toFixed(2)}`,
    );
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
