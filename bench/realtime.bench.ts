import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { StatusSnapshot } from '../src/core/realtime/status-event';

/**
 * `npm run bench:realtime`: BENCH_CLIENTS (1,000) Socket.IO clients subscribe to one running ECG;
 * the server publishes status events through StatusEventPublisher, each stamped with its send
 * time, and every client records publish → receipt latency. Two phases: BENCH_EVENTS (200) events
 * paced at BENCH_RATE (20/s), for latency; then BENCH_BURST (200) events back to back, for the
 * deliveries per second the fan-out sustains.
 *
 * Targets, each a process of its own (support/realtime-targets.ts), clients in this process:
 *   baseline   a bare Socket.IO server emitting the same event to a room: the floor for this machine
 *   embedded   Horizon on the embedded defaults (in-process bus), API and worker in one process
 *   rabbitmq   with BENCH_RABBITMQ_URL: two Horizon gateways, half the clients on each; gateway A
 *              publishes, both receive through their own queue on the fanout exchange.
 *              BENCH_DATABASE_URL: a real PostgreSQL (a fresh database) instead of the embedded one.
 */
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const BURST = Number(process.env.BENCH_BURST ?? 200);
// JIT on both sides, pools, the broker's channels; back to back, then one paced second.
const WARM_UP = 100;
const CONNECT_CONCURRENCY = 50;
const PHASE_TIMEOUT_MS = 120_000;

interface Target {
  child: ChildProcess;
  port: number;
  token?: string;
  id: string;
  databaseUrl?: string;
}

interface PhaseResult {
  p50: number;
  p99: number;
  max: number;
  deliveriesPerS: number;
  lost: number;
}

const now = () => performance.timeOrigin + performance.now();

function start(role: string, env: Record<string, string> = {}): Promise<Target> {
  const child = fork(join(__dirname, 'support', 'realtime-targets.ts'), [role], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ...(m as Omit<Target, 'child'>) }));
    child.once('exit', (code) => reject(new Error(`benchmark target ${role} exited with ${code}`)));
  });
}

function stop(target: Target): Promise<void> {
  return new Promise((resolve) => {
    target.child.once('exit', () => resolve());
    target.child.disconnect();
  });
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** N clients spread over the gateways, each subscribed to the resource, recording latencies. */
class Clients {
  private latencies = new Float64Array(0);
  private received = 0;
  private lastReceipt = 0;
  private outOfOrder = 0;

  private constructor(private readonly sockets: Socket[]) {}

  static async connect(ports: number[], token: string | undefined, id: string): Promise<Clients> {
    const sockets: Socket[] = new Array(CLIENTS);
    let next = 0;
    const connectOne = async (i: number) => {
      const socket = io(`http://127.0.0.1:${ports[i % ports.length]}`, {
        transports: ['websocket'],
        auth: token ? { token } : {},
        forceNew: true,
        reconnection: false,
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const ack = (await socket.timeout(30_000).emitWithAck('subscribe', { resource: 'ecg', id })) as { ok: boolean };
      if (!ack.ok) throw new Error(`subscribe refused: ${JSON.stringify(ack)}`);
      sockets[i] = socket;
    };
    await Promise.all(
      Array.from({ length: CONNECT_CONCURRENCY }, async () => {
        while (next < CLIENTS) await connectOne(next++);
      }),
    );
    const clients = new Clients(sockets);
    for (const socket of sockets) {
      let lastProgress = -1;
      socket.on('status', (event: StatusSnapshot) => {
        const receipt = now();
        const t = event.counts?.t ?? NaN;
        // Progress grows by one per event over the whole run.
        if ((event.progress ?? 0) <= lastProgress) clients.outOfOrder++;
        lastProgress = event.progress ?? 0;
        if (clients.received < clients.latencies.length) clients.latencies[clients.received] = receipt - t;
        clients.received++;
        clients.lastReceipt = receipt;
      });
    }
    return clients;
  }

  /** Asks the publisher for `count` events, waits until every client has them, and measures. */
  async phase(publisher: Target, count: number, intervalMs: number): Promise<PhaseResult> {
    const expected = count * CLIENTS;
    this.latencies = new Float64Array(expected);
    this.received = 0;
    const started = now();
    publisher.child.send({ publish: { count, intervalMs } });
    await new Promise((resolve) => publisher.child.once('message', resolve));
    const deadline = Date.now() + PHASE_TIMEOUT_MS;
    // Polling with a deadline: the last deliveries may still be on the wire when the publisher is done.
    while (this.received < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 200)); // anything beyond `expected` would be a duplicate
    const sorted = this.latencies.slice(0, Math.min(this.received, expected)).sort();
    return {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1],
      deliveriesPerS: this.received / ((this.lastReceipt - started) / 1000),
      lost: expected - this.received,
    };
  }

  get misordered(): number {
    return this.outOfOrder;
  }

  close(): void {
    for (const socket of this.sockets) socket.close();
  }
}

async function measure(label: string, publisher: Target, gateways: Target[]): Promise<string> {
  const clients = await Clients.connect(
    gateways.map((g) => g.port),
    publisher.token,
    publisher.id,
  );
  try {
    await clients.phase(publisher, WARM_UP, 0);
    await clients.phase(publisher, RATE, 1000 / RATE);
    const paced = await clients.phase(publisher, EVENTS, 1000 / RATE);
    const burst = await clients.phase(publisher, BURST, 0);
    const ms = (n: number) => n.toFixed(1).padStart(7);
    const problems = [
      paced.lost + burst.lost > 0 ? `${paced.lost + burst.lost} deliveries lost` : '',
      clients.misordered > 0 ? `${clients.misordered} out of order` : '',
    ].filter(Boolean);
    return (
      `${label.padEnd(44)}${ms(paced.p50)}${ms(paced.p99)}${ms(paced.max)}   ${burst.deliveriesPerS.toFixed(0).padStart(13)}${ms(burst.p99)}` +
      (problems.length ? `   (${problems.join(', ')})` : '')
    );
  } finally {
    clients.close();
  }
}

async function main(): Promise<void> {
  console.log(
    `\nRealtime status fan-out: ${CLIENTS} Socket.IO clients (websocket transport) watching one ECG;` +
      `\npaced: ${EVENTS} events at ${RATE}/s (${(RATE * CLIENTS).toLocaleString('en')} deliveries/s offered); burst: ${BURST} events back to back`,
  );
  console.log(`${''.padEnd(44)}${'paced latency, ms'.padStart(21)}   ${'burst'.padStart(20)}`);
  console.log(`${'target'.padEnd(44)}${'p50'.padStart(7)}${'p99'.padStart(7)}${'max'.padStart(7)}   ${'deliveries/s'.padStart(13)}${'p99 ms'.padStart(7)}`);

  const rows: string[] = [];
  const run = async (label: string, targets: () => Promise<{ publisher: Target; gateways: Target[] }>) => {
    const { publisher, gateways } = await targets();
    try {
      const row = await measure(label, publisher, gateways);
      rows.push(row);
      console.log(row);
    } finally {
      // The second gateway first: the first owns the database.
      for (const target of [...gateways].reverse()) await stop(target);
    }
  };

  await run('baseline: bare socket.io, io.to(room).emit', async () => {
    const bare = await start('baseline');
    return { publisher: bare, gateways: [bare] };
  });
  await run('horizon, embedded (in-process bus)', async () => {
    const app = await start('horizon', { BENCH_RABBITMQ_URL: '' });
    return { publisher: app, gateways: [app] };
  });
  if (process.env.BENCH_RABBITMQ_URL) {
    await run('horizon, 2 gateways via RabbitMQ fanout', async () => {
      const a = await start('horizon');
      const b = await start('horizon-gateway', { TARGET_DATABASE_URL: a.databaseUrl! });
      return { publisher: a, gateways: [a, b] };
    });
  } else {
    console.log('(set BENCH_RABBITMQ_URL to measure two gateways through RabbitMQ)');
  }
  console.log(`\nrealtime: ${CLIENTS} clients; ${rows.map((r) => r.replace(/\s+/g, ' ').trim()).join('; ')}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
