import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface RunningProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs an entry point (`src/main.ts`, ...) as its own process, as `npm run start:*` would:
 * under ts-node, or with `compiled` the built `dist/` file (`npm run build` first), as in
 * production, for measurements.
 */
export function startProcess(entry: string, env: Record<string, string | undefined>, options: { compiled?: boolean } = {}): RunningProcess {
  const args = options.compiled
    ? [join(ROOT, 'dist', entry.replace(/\.ts$/, '.js'))]
    : ['-r', 'ts-node/register/transpile-only', join(ROOT, entry)];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // Only what the test names: no DATABASE_URL etc. leaking in from the developer's shell.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls until `url` answers 200, the process dies, or the deadline passes. */
export async function waitForReady(url: string, running: RunningProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) throw new Error(`process exited with ${running.child.exitCode}:\n${running.output()}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms:\n${running.output()}`);
}

/**
 * `npm run start:worker` as its own process on a free health port, resolved once its consumers
 * are attached (`/health/ready` answers 200). `env` names the database, broker and storage; the
 * worker gets a DATA_DIR of its own unless `env` names one.
 */
export async function startWorkerProcess(env: Record<string, string | undefined>): Promise<RunningProcess & { port: number }> {
  const port = await freePort();
  const run = startProcess('src/worker.ts', {
    DATA_DIR: join(tmpdir(), `horizon-worker-${process.pid}-${port}`),
    ...env,
    WORKER_HEALTH_PORT: String(port),
  });
  await waitForReady(`http://127.0.0.1:${port}/health/ready`, run);
  return Object.assign(run, { port });
}
