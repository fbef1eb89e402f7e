import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { dataSourceOptions, type DatabaseSchema } from './data-source-options';

// Any constant works; it only has to be the same in every process of this app.
const MIGRATION_LOCK_KEY = 728_364_019;

/**
 * Runs pending migrations while holding a PostgreSQL advisory lock, so several processes
 * booting at once (API + workers) migrate exactly once and the others wait for it.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const logger = new Logger('Migrations');
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const m of applied) logger.log(`applied migration ${m.name}`);
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}

/** The deploy step (`npm run migration:run`): migrates the database at `url` and disconnects. */
export async function migrateDatabase(url: string, schema: DatabaseSchema): Promise<string[]> {
  const dataSource = await new DataSource(dataSourceOptions(url, schema)).initialize();
  try {
    return await runMigrationsLocked(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
