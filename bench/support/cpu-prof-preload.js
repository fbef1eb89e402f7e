// `--require` preload that records a CPU profile of the process's main thread and writes it to
// $BENCH_CPU_PROF_DIR/<pid>.cpuprofile at exit. For processes started with NODE_OPTIONS, where
// `--cpu-prof` is not allowed (bench:ingest sets it up with BENCH_CPU_PROF=<dir>).
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  // A session on the same thread answers synchronously, so this works in an 'exit' listener.
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
