import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from './core/config/app-config';
import { ConfigModule } from './core/config/config.module';
import { startEmbeddedPostgres } from './core/database/embedded-postgres';
import { migrateDatabase } from './core/database/migrate';
import { Broadcaster, InProcessBroadcaster } from './core/messaging/broadcast';
import { DatabaseModule } from './core/database/database.module';
import { FEATURES } from './feature-modules';
import { AuthModule } from './modules/auth/auth.module';
import { UsersService } from './modules/auth/users.service';

const USAGE = `usage: npm run cli -- <command>

commands:
  migrate                                        apply pending migrations (the deploy step)
  create-admin --username NAME --password PASS   create an admin, or reset an existing one

Uses DATABASE_URL, or the embedded PostgreSQL under DATA_DIR when it is unset
(stop \`npm start\` first: one process at a time owns the embedded database).`;

async function withDatabase<T>(work: (config: AppConfig) => Promise<T>): Promise<T> {
  const base = AppConfig.fromEnvironment();
  const embedded = base.database.url ? undefined : await startEmbeddedPostgres(base.database.embeddedDir);
  try {
    return await work(embedded ? base.withDatabaseUrl(embedded.url) : base);
  } finally {
    await embedded?.stop();
  }
}

async function migrate(config: AppConfig): Promise<void> {
  const applied = await migrateDatabase(config.database.url!, FEATURES);
  console.log(applied.length ? `applied ${applied.join(', ')}` : 'schema is up to date');
}

async function createAdmin(config: AppConfig, username: string, password: string): Promise<void> {
  // The auth module announces revocations; a one-shot command has no gateway to tell.
  @Global()
  @Module({ providers: [{ provide: Broadcaster, useValue: new InProcessBroadcaster() }], exports: [Broadcaster] })
  class NoBroadcastModule {}
  @Module({ imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(FEATURES), NoBroadcastModule, AuthModule] })
  class CliModule {}
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'] });
  try {
    const outcome = await app.get(UsersService).ensureAdmin(username, password);
    console.log(`admin "${username}" ${outcome}`);
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { username: { type: 'string' }, password: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  if (command === 'migrate') return withDatabase(migrate);
  if (command === 'create-admin') {
    const { username, password } = values;
    if (!username || !/^[A-Za-z0-9._-]{3,64}$/.test(username)) throw new Error('--username: 3-64 letters, digits, ".", "_" or "-"');
    if (!password || password.length < 10 || password.length > 256) throw new Error('--password: 10 to 256 characters');
    return withDatabase((config) => createAdmin(config, username, password));
  }
  throw new Error(`unknown command "${command}"\n\n${USAGE}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
