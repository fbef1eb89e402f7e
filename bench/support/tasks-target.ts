import { closeOnDisconnect, startBenchApp } from './bench-app';

/**
 * The app for `bench:tasks`, in a child process of its own (API and worker in one, as
 * `npm start`): its RSS, engine threads included, is what the benchmark reports. Settings come
 * as JSON in argv[2]; answers `{port, token}`, then `{peakRssMb}` to each 'rss' message.
 */
async function main(): Promise<void> {
  const bench = await startBenchApp('tasks', JSON.parse(process.argv[2] ?? '{}') as Record<string, string>);
  closeOnDisconnect(bench);
  let peak = process.memoryUsage().rss;
  setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100).unref();
  process.on('message', (message) => {
    if (message === 'rss') process.send!({ peakRssMb: Math.round(peak / 1024 / 1024) });
  });
  process.send!({ port: bench.port, token: bench.token });
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
