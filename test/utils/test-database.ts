import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A fresh, empty database on the suite's server; dropped by `drop()`. */
export async function createTestDatabase(baseUrl = process.env.TEST_DATABASE_URL): Promise<{
  url: string;
  drop(): Promise<void>;
}> {
  if (!baseUrl) throw new Error('TEST_DATABASE_URL is not set (the jest global setup sets it)');
  const name = `horizon_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client(baseUrl);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client(baseUrl);
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
