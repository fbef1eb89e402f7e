import { monitorEventLoopDelay } from 'node:perf_hooks';
import { closeOnDisconnect, startBenchApp } from './bench-app';

/**
 * The app for `bench:tasks`, in a child process of its own (API and worker in one, as
 * `npm start`): its RSS, engine threads included, is what the benchmark reports. Settings come
 * as JSON in argv[2]; answers `{port, token}`, then `{peakRssMb, loopDelayP99Ms, loopDelayMaxMs}`
 * to each 'rss' message ('loop-reset' restarts the event-loop delay histogram).
 */
async function main(): Promise<void> {
  const bench = await startBenchApp('tasks', JSON.parse(process.argv[2] ?? '{}') as Record<string, string>);
  closeOnDisconnect(bench);
  let peak = process.memoryUsage().rss;
  setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100).unref();
  // How long the event loop was held: what inference on the main thread would show at once.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  process.on('message', (message) => {
    if (message === 'loop-reset') loop.reset();
    if (message === 'rss') {
      process.send!({ peakRssMb: Math.round(peak / 1024 / 1024), loopDelayP99Ms: loop.percentile(99) / 1e6, loopDelayMaxMs: loop.max / 1e6 });
    }
  });
  process.send!({ port: bench.port, token: bench.token });
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
