import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/core/database/data-source-options';
import { FEATURES } from '../../src/feature-modules';
import { createTestApp, type TestApp } from '../utils/test-app';
import { createTestDatabase } from '../utils/test-database';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// A database as main left it on TypeORM 0.3.31 (test/fixtures/database-from-typeorm-0.3/generate.sh
// remakes the dump): today's TypeORM must count every migration as applied, find nothing to change
// in the schema, and the app must serve the rows made before the upgrade.
const FIXTURE = join(__dirname, '../fixtures/database-from-typeorm-0.3/database.sql');

async function restoreFixture(): Promise<Awaited<ReturnType<typeof createTestDatabase>>> {
  const database = await createTestDatabase();
  const name = new URL(database.url).pathname.slice(1);
  // TypeORM's metadata row names the database it was written in; a restore under another name
  // is the same database as far as the upgrade is concerned.
  const sql = (await readFile(FIXTURE, 'utf8')).replaceAll("'__DATABASE__'", `'${name}'`);
  const client = new Client(database.url);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
  return database;
}

// Every migration the app knows, by name, in order.
const MIGRATIONS = (FEATURES.migrations as (new () => { name: string })[]).map((m) => new m().name);

async function appliedMigrations(url: string): Promise<string[]> {
  const client = new Client(url);
  await client.connect();
  try {
    return (await client.query<{ name: string }>('SELECT name FROM migrations ORDER BY id')).rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

describe('upgrade from a database migrated by TypeORM 0.3', () => {
  it('sees every migration the 0.3 runner applied as applied, and the entities match the schema', async () => {
    const database = await restoreFixture();
    const inFixture = await appliedMigrations(database.url);
    expect(inFixture).toHaveLength(6);
    const dataSource = await new DataSource(dataSourceOptions(database.url, FEATURES)).initialize();
    try {
      // Only migrations newer than the fixture run (none, until someone adds one).
      const ran = (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
      expect(ran).toEqual(MIGRATIONS.filter((name) => !inFixture.includes(name)));
      const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
      expect(upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });

  describe('the app on the upgraded database', () => {
    let t: TestApp;
    let token: string;
    const as = () => ({ authorization: `Bearer ${token}` });

    beforeAll(async () => {
      t = await createTestApp({}, { database: await restoreFixture() });
      token = await t.tokenFor('alice', 'alice-password-1');
    }, 60_000);
    afterAll(() => t?.close());

    it('booted without applying a migration twice', async () => {
      expect(await appliedMigrations(t.databaseUrl)).toEqual(MIGRATIONS);
    });

    it('lists the ECG made before the upgrade with its lead count, beside a new one', async () => {
      await t
        .http()
        .post('/api/v1/ecgs')
        .set(as())
        .send({ id: 'ecg-after-upgrade', date: '2026-12-01T10:00:00Z', leads: [{ name: 'I', signal: [1, -1, 1] }] })
        .expect(202);
      const list = (await t.http().get('/api/v1/ecgs').set(as()).expect(200)).body;
      expect(list.items.map((e: Body) => [e.id, e.number_of_leads])).toEqual([
        ['ecg-after-upgrade', 1],
        ['ecg-before-upgrade', 2],
      ]);
      const old = (await t.http().get('/api/v1/ecgs/ecg-before-upgrade').set(as()).expect(200)).body;
      expect(old).toMatchObject({ id: 'ecg-before-upgrade', status: 'failed', error: 'made before the upgrade' });
      expect(old.leads.map((l: Body) => l.name)).toEqual(['I', 'II']);
    });

    it('finds the transcription made before the upgrade by full-text search', async () => {
      const res = await t.http().get('/api/v1/transcriptions').query({ q: 'lighthouse ship' }).set(as()).expect(200);
      expect(res.body.items).toHaveLength(1);
      expect(res.body.items[0]).toMatchObject({ file_name: 'before.wav', status: 'completed' });
      expect(res.body.items[0].snippet).toContain('**lighthouse**');
    });

    it('still refuses what it refused before: a wrong password, another user, a bad body', async () => {
      await t.http().post('/api/v1/auth/token').send({ username: 'alice', password: 'wrong-password-1' }).expect(401);
      const bob = await t.createUser();
      await t.http().get('/api/v1/ecgs/ecg-before-upgrade').set('authorization', `Bearer ${bob.token}`).expect(404);
      await t.http().post('/api/v1/ecgs').set(as()).send({ id: 'x', leads: [] }).expect(422);
    });
  });
});
