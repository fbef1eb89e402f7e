import { execFileSync } from 'node:child_process';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/core/database/embedded-postgres';
import { S3_CREDENTIALS, serialiseDeletes, type S3rver } from '../../test/utils/s3-server';
import { freePort } from '../../test/utils/process';

/**
 * Services of a benchmark's own, to be stopped and restarted at will: the shared RabbitMQ,
 * PostgreSQL and S3 that the tests and the other helpers use are never touched.
 */

export interface PrivateRabbit {
  url: string;
  /** `stop_app` then `start_app`: the node stays, every connection and channel is cut. */
  restart(): void;
  stop(): Promise<void>;
}

/** A RabbitMQ node of our own (no plugins, its own node name, ports and mnesia folder). */
export async function startPrivateRabbit(options: { node: string; port: number; distPort: number }): Promise<PrivateRabbit> {
  // Outside any 0700 temporary folder: rabbitmq-server runs as the rabbitmq user and must reach it.
  const base = join(tmpdir(), `horizon-rabbitmq-${options.node.split('@')[0]}-${process.pid}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RABBITMQ_NODENAME: options.node,
    RABBITMQ_NODE_PORT: String(options.port),
    RABBITMQ_DIST_PORT: String(options.distPort),
    RABBITMQ_MNESIA_BASE: join(base, 'mnesia'),
    RABBITMQ_LOG_BASE: join(base, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(base, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: join(base, 'rabbitmq.conf'),
    RABBITMQ_PID_FILE: join(base, 'rabbitmq.pid'),
  };
  const ctl = (...args: string[]) =>
    execFileSync('rabbitmqctl', ['-n', options.node, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  await mkdir(base, { recursive: true });
  await writeFile(join(base, 'enabled_plugins'), '[].\n');
  await writeFile(join(base, 'rabbitmq.conf'), `listeners.tcp.default = ${options.port}\nloopback_users = none\n`);
  // rabbitmq-server drops to the rabbitmq user when started as root.
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'rabbitmq'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'rabbitmq'], { encoding: 'utf8' }).trim());
    await chown(base, uid, gid);
    for (const f of ['enabled_plugins', 'rabbitmq.conf']) await chown(join(base, f), uid, gid);
  }
  execFileSync('rabbitmq-server', ['-detached'], { env, stdio: 'ignore' });
  // await_startup fails at once while the detached node has not registered with epmd yet.
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      ctl('await_startup', '--timeout', '60');
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  return {
    url: `amqp://guest:guest@127.0.0.1:${options.port}`,
    restart: () => {
      ctl('stop_app');
      ctl('start_app');
    },
    stop: async () => {
      try {
        ctl('stop');
      } catch (error) {
        console.error(`could not stop the private RabbitMQ node: ${String(error)}`);
      }
      // The node may still be writing its last files as it halts.
      await rm(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 });
    },
  };
}

export interface PrivatePostgres {
  url: string;
  /** Stops the server and starts it again on the same port and data folder. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** An embedded PostgreSQL cluster of our own in `dir`, on a free port. */
export async function startPrivatePostgres(dir: string): Promise<PrivatePostgres> {
  const port = await freePort();
  let pg: EmbeddedDatabase = await startEmbeddedPostgres(dir, { port });
  return {
    url: pg.url,
    restart: async (downMs = 0) => {
      await pg.stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      pg = await startEmbeddedPostgres(dir, { port });
    },
    stop: () => pg.stop(),
  };
}

export interface PrivateS3 {
  endpoint: string;
  credentials: typeof S3_CREDENTIALS;
  /** Closes the listening socket (in-flight requests fail); the objects stay on disk. */
  stop(): Promise<void>;
  /** Listens again on the same port over the same objects. */
  start(): Promise<void>;
  close(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rverServer: new (options: Record<string, unknown>) => S3rver = require('s3rver');

/** The S3 test server of `test:services`, in this process, that can be stopped and started again. */
export async function startPrivateS3(): Promise<PrivateS3> {
  const directory = await mkdtemp(join(tmpdir(), 'horizon-chaos-s3-'));
  const port = await freePort();
  let server: S3rver | undefined;
  const start = async () => {
    server = new S3rverServer({ port, address: '127.0.0.1', silent: true, directory, configureBuckets: [] });
    serialiseDeletes(server);
    await server.run();
  };
  const stop = async () => {
    // Kept-alive sockets would hold close() open; a store that goes away cuts them.
    const http = (server as unknown as { httpServer?: { closeAllConnections(): void } } | undefined)?.httpServer;
    const closing = server?.close();
    http?.closeAllConnections();
    await closing;
    server = undefined;
  };
  await start();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    credentials: S3_CREDENTIALS,
    start,
    stop,
    close: async () => {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
