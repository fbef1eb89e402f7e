import { closeOnDisconnect, startBenchApp } from './bench-app';

/**
 * The app under `npm run bench:ecg`, in its own process (so the load generator does not share its
 * event loop): API and worker in one process, as `npm start` runs it. Reports `{port, token, mode}`
 * over IPC.
 *   default:             embedded PostgreSQL, in-process queue
 *   BENCH_DATABASE_URL:  a fresh database created on that server (dropped at exit)
 *   BENCH_RABBITMQ_URL:  RabbitMQ; the worker consuming it is this same process
 */
async function main(): Promise<void> {
  const bench = await startBenchApp('ecg');
  const mode = [
    bench.database,
    bench.config.rabbitmqUrl ? 'RabbitMQ, one worker in the API process' : 'in-process queue, worker in the API process',
  ].join(', ');
  process.send!({ port: bench.port, token: bench.token, mode });
  closeOnDisconnect(bench);
}

void main();
