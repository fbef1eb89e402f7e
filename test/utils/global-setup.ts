import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../src/core/database/embedded-postgres';

/**
 * One PostgreSQL for the whole `npm test` run: TEST_DATABASE_URL when given (e.g. the local
 * server), otherwise an embedded one, so the suite passes on a bare machine. Each test file
 * then works in a database of its own (see test-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) return;
  const dir = await mkdtemp(join(tmpdir(), 'horizon-test-pg-'));
  const server = await startEmbeddedPostgres(join(dir, 'pg'));
  process.env.TEST_DATABASE_URL = server.url;
  (globalThis as { __horizonPg?: unknown }).__horizonPg = { server, dir };
}
