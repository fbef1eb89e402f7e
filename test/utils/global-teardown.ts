import { rm } from 'node:fs/promises';
import type { EmbeddedDatabase } from '../../src/core/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as { __horizonPg?: { server: EmbeddedDatabase; dir: string } }).__horizonPg;
  if (!pg) return;
  await pg.server.stop();
  await rm(pg.dir, { recursive: true, force: true });
}
