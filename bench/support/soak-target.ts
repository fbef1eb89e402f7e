import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { closeOnDisconnect, startBenchApp } from './bench-app';

/**
 * The app under `npm run bench:soak`, in a child process of its own (started with --expose-gc):
 * API and worker in one, as `npm start` runs it. Answers `{port, token}`, then to each 'stats'
 * message its RSS, its heap after a full GC (what is really retained, unlike RSS, which also
 * holds freed-but-kept allocator pages) and the event-loop delay since the last 'stats'. A
 * `{snapshot: path}` message writes a heap snapshot there.
 */
async function main(): Promise<void> {
  const bench = await startBenchApp('soak');
  closeOnDisconnect(bench);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (message: unknown) => {
    if (message === 'stats') {
      const rss = process.memoryUsage().rss;
      gc?.();
      const { heapUsed, external, arrayBuffers } = process.memoryUsage();
      process.send!({ rss, heapUsed, external, arrayBuffers, loopP99Ms: loop.percentile(99) / 1e6, loopMaxMs: loop.max / 1e6 });
      loop.reset();
    } else if (message && typeof message === 'object' && 'snapshot' in message) {
      gc?.();
      process.send!({ snapshot: writeHeapSnapshot((message as { snapshot: string }).snapshot) });
    }
  });
  process.send!({ port: bench.port, token: bench.token });
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
