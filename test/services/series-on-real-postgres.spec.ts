import { Client } from 'pg';
import { SERVICES } from '../utils/services-env';
import { createTestApp, TestApp } from '../utils/test-app';

/** Store, read and delete series on the shared PostgreSQL server, and what they look like there. */
describe('series on real PostgreSQL', () => {
  let t: TestApp;
  let user: { token: string };
  let db: Client;
  const T0 = Date.UTC(2025, 10, 22);
  const auth = () => ({ authorization: `Bearer ${user.token}` });

  beforeAll(async () => {
    t = await createTestApp({}, { databaseBaseUrl: SERVICES.databaseUrl, withWorker: false });
    user = await t.createUser();
    db = new Client(t.databaseUrl);
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  it('stores 200,000 uniform points as one row of packed float64 and reads them back bit for bit', async () => {
    const n = 200_000;
    const values = Array.from({ length: n }, (_, i) => Math.sin(i / 37) * 1e-3 + i * 1e7 + 0.1);
    const res = await t.http().post('/api/v1/series').set(auth()).send({ start: new Date(T0).toISOString(), sampling_rate_hz: 250, values }).expect(201);

    const { rows } = await db.query(
      `SELECT count, sampling_rate_hz, timestamps_f64 IS NULL AS implicit, length(values_f64) AS bytes,
              (SELECT attstorage FROM pg_attribute WHERE attrelid = 'series'::regclass AND attname = 'values_f64') AS storage
       FROM series WHERE id = $1`,
      [res.body.id],
    );
    expect(rows).toEqual([{ count: n, sampling_rate_hz: 250, implicit: true, bytes: n * 8, storage: 'e' }]);

    const binary = await t
      .http()
      .get(`/api/v1/series/${res.body.id}`)
      .set({ ...auth(), accept: 'application/octet-stream' })
      .buffer(true)
      .parse((response, callback) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => callback(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const body = binary.body as Buffer;
    expect(body.length).toBe(n * 16);
    for (const i of [0, 1, 12_345, n - 1]) {
      expect(body.readDoubleLE(i * 8)).toBe(T0 + i * 4);
      expect(body.readDoubleLE(n * 8 + i * 8)).toBe(values[i]);
    }
    const json = await t.http().get(`/api/v1/series/${res.body.id}?offset=${n - 2}`).set(auth()).expect(200);
    expect(json.body.points).toEqual([n - 2, n - 1].map((i) => ({ timestamp: new Date(T0 + i * 4).toISOString(), value: values[i] })));
  });

  it('stores shuffled points with their timestamps, in time order, and deletes the row', async () => {
    const points = [3, 1, 2, 0].map((i) => ({ timestamp: new Date(T0 + i * 1500).toISOString(), value: i / 10 }));
    const res = await t.http().post('/api/v1/series').set(auth()).send({ points }).expect(201);
    const read = await t.http().get(`/api/v1/series/${res.body.id}`).set(auth()).expect(200);
    expect(read.body.points).toEqual([0, 1, 2, 3].map((i) => ({ timestamp: new Date(T0 + i * 1500).toISOString(), value: i / 10 })));
    const { rows } = await db.query('SELECT length(timestamps_f64) AS t, length(values_f64) AS v FROM series WHERE id = $1', [res.body.id]);
    expect(rows).toEqual([{ t: 32, v: 32 }]);
    const metrics = await t.http().get(`/api/v1/series/${res.body.id}/metrics`).set(auth()).expect(200);
    expect(metrics.body).toMatchObject({ count: 4, mean: expect.closeTo(0.15, 12), dominant_frequency_hz: expect.any(Number) });

    await t.http().delete(`/api/v1/series/${res.body.id}`).set(auth()).expect(204);
    expect((await db.query('SELECT 1 FROM series WHERE id = $1', [res.body.id])).rowCount).toBe(0);
    await t.http().get(`/api/v1/series/${res.body.id}`).set(auth()).expect(404);
  });

  it('leaves no row behind when a store is refused', async () => {
    const before = (await db.query('SELECT count(*)::int AS n FROM series')).rows[0].n;
    await t.http().post('/api/v1/series').set(auth()).send({ points: [{ timestamp: 'nope', value: 1 }] }).expect(422);
    await t.http().post('/api/v1/series').set(auth()).set('content-type', 'text/csv').send('2025-11-22T00:00:00Z,1\n2025-11-22T00:00:00Z,2\n').expect(422);
    expect((await db.query('SELECT count(*)::int AS n FROM series')).rows[0].n).toBe(before);
  });
});
