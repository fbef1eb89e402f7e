import { DataSource } from 'typeorm';
import { ObjectStorage } from '../../src/core/storage/object-storage';
import type { TestApp } from './test-app';

// Bookkeeping tables, not user data: the migrations log and TypeORM's generated-column metadata.
const BOOKKEEPING = new Set(['migrations', 'typeorm_metadata']);

export interface Census {
  /** Rows per table of the public schema, every table the migrations made. */
  rows: Record<string, number>;
  /** Every stored object key, sorted. */
  objects: string[];
}

async function tables(t: TestApp): Promise<string[]> {
  const rows: { table_name: string }[] = await t.app
    .get(DataSource)
    .query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`);
  return rows.map((r) => r.table_name).filter((name) => !BOOKKEEPING.has(name));
}

/** What the database and object storage hold right now: how tests prove that something is gone. */
export async function takeCensus(t: TestApp): Promise<Census> {
  const dataSource = t.app.get(DataSource);
  const rows: Record<string, number> = {};
  for (const table of await tables(t)) {
    const [{ n }]: { n: string }[] = await dataSource.query(`SELECT count(*) AS n FROM "${table}"`);
    rows[table] = Number(n);
  }
  const objects: string[] = [];
  for await (const o of t.app.get(ObjectStorage).list('')) objects.push(o.key);
  return { rows, objects: objects.sort() };
}

/** Tables with a row whose text mentions `needle` (an id or a username): what is left of someone. */
export async function tablesMentioning(t: TestApp, needle: string, except: string[] = []): Promise<string[]> {
  const dataSource = t.app.get(DataSource);
  const found: string[] = [];
  for (const table of await tables(t)) {
    if (except.includes(table)) continue;
    const [{ n }]: { n: string }[] = await dataSource.query(`SELECT count(*) AS n FROM "${table}" x WHERE x::text LIKE '%' || $1 || '%'`, [
      needle,
    ]);
    if (Number(n) > 0) found.push(table);
  }
  return found;
}
