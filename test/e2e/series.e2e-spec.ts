import { createTestApp, TestApp } from '../utils/test-app';

type Body = Record<string, unknown>;
const T0 = Date.UTC(2025, 10, 22, 10, 15);
const iso = (ms: number) => new Date(ms).toISOString();

describe('Series', () => {
  let t: TestApp;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  beforeAll(async () => {
    t = await createTestApp({ SERIES_MAX_POINTS: '1000' });
    alice = await t.createUser();
    bob = await t.createUser();
  });
  afterAll(() => t.close());

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const store = (token: string, body: unknown) => t.http().post('/api/v1/series').set(auth(token)).send(body as object);
  const storeCsv = (token: string, csv: string, query = '') =>
    t.http().post(`/api/v1/series${query}`).set(auth(token)).set('content-type', 'text/csv').send(csv);
  const storeRaw = (token: string, text: string) =>
    t.http().post('/api/v1/series').set(auth(token)).set('content-type', 'application/json').send(text);
  const get = (token: string, path: string) => t.http().get(`/api/v1/series${path}`).set(auth(token));
  const count = async (token: string) => (await get(token, '/count').expect(200)).body.count as number;

  /** Runs `send`, expects the status and the field paths, and checks that no series was left behind. */
  async function refused(send: () => Promise<{ status: number; body: Body }>, status: number, paths: string[] = []) {
    const before = await count(alice.token);
    const res = await send();
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code: expect.any(String) });
    expect(res.body).toMatchObject({ status, type: expect.any(String), request_id: expect.any(String) });
    if (paths.length > 0) expect((res.body.errors as { path: string }[]).map((e) => e.path)).toEqual(paths);
    expect(await count(alice.token)).toBe(before);
    return res.body;
  }

  describe('store', () => {
    it('stores the points form, shuffled, in time order, and reads the same values back exactly', async () => {
      const values = [0.1, 1e-300, -2.5e300, 1 / 3, 123456789.12345679, -0, 5e-324, 0.30000000000000004];
      const points = values.map((value, i) => ({ timestamp: iso(T0 + i * 1000), value }));
      const shuffled = [points[3], points[0], points[7], points[5], points[1], points[6], points[2], points[4]];
      const res = await store(alice.token, { name: 'vibration', unit: 'mm/s', points: shuffled }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'vibration',
        unit: 'mm/s',
        count: 8,
        start: iso(T0),
        end: iso(T0 + 7000),
        created_at: expect.any(String),
        links: { self: `/api/v1/series/${res.body.id}`, metrics: `/api/v1/series/${res.body.id}/metrics`, forecast: `/api/v1/series/${res.body.id}/forecast` },
      });

      const read = await get(alice.token, `/${res.body.id}`).expect(200).expect('content-type', /application\/json/);
      expect(read.body).toMatchObject({ id: res.body.id, name: 'vibration', unit: 'mm/s', count: 8, start: iso(T0), end: iso(T0 + 7000) });
      // -0 has no JSON spelling of its own; every other value comes back bit for bit.
      expect(read.body.points).toEqual(points.map((p) => ({ ...p, value: Object.is(p.value, -0) ? 0 : p.value })));
      expect(read.text).toContain('"value":0.1}');
      expect(read.text).toContain('"value":1e-300}');
    });

    it('stores the uniform form with implicit timestamps', async () => {
      const res = await store(alice.token, { start: '2025-11-22T10:15:00Z', sampling_rate_hz: 4, values: [1, 2, 3, 4, 5] }).expect(201);
      expect(res.body).toMatchObject({ name: null, unit: null, count: 5, start: iso(T0), end: iso(T0 + 1000) });
      const read = await get(alice.token, `/${res.body.id}`).expect(200);
      expect(read.body.points).toEqual([0, 250, 500, 750, 1000].map((ms, i) => ({ timestamp: iso(T0 + ms), value: i + 1 })));
    });

    it('stores CSV with or without a header, name and unit from the query', async () => {
      const csv = 'timestamp,value\r\n2025-11-22T10:15:02Z,3\r\n\r\n2025-11-22T10:15:00Z,1.5\r\n"2025-11-22T10:15:01Z","-2"\r\n';
      const res = await storeCsv(alice.token, csv, '?name=csv&unit=V').expect(201);
      expect(res.body).toMatchObject({ name: 'csv', unit: 'V', count: 3, start: iso(T0), end: iso(T0 + 2000) });
      const read = await get(alice.token, `/${res.body.id}`).expect(200);
      expect(read.body.points.map((p: Body) => p.value)).toEqual([1.5, -2, 3]);
      await storeCsv(alice.token, '2025-11-22T10:15:00Z,1\n2025-11-22T10:15:01Z,2').expect(201);
    });

    it.each([
      ['an empty points array', { points: [] }, ['points']],
      ['an empty values array', { start: '2025-11-22T10:15:00Z', sampling_rate_hz: 1, values: [] }, ['values']],
      ['a non-number value', { points: [{ timestamp: iso(T0), value: 1 }, { timestamp: iso(T0 + 1), value: '2' }] }, ['points[1].value']],
      ['a non-finite value (1e400)', null, ['points[0].value']],
      ['an unparseable timestamp', { points: [{ timestamp: iso(T0), value: 1 }, { timestamp: '2025-02-30T00:00:00Z', value: 2 }] }, ['points[1].timestamp']],
      ['a duplicate timestamp', { points: [1, 2, 3, 4].map((v, i) => ({ timestamp: iso(T0 + (i === 3 ? 1000 : i * 1000)), value: v })) }, ['points[3].timestamp']],
      ['a non-positive rate', { start: '2025-11-22T10:15:00Z', sampling_rate_hz: 0, values: [1] }, ['sampling_rate_hz']],
      ['a non-number in values', { start: '2025-11-22T10:15:00Z', sampling_rate_hz: 1, values: [1, null, 3] }, ['values[1]']],
      ['both forms at once', { points: [{ timestamp: iso(T0), value: 1 }], values: [1] }, ['values']],
      ['no points at all', { name: 'x' }, ['points']],
      ['an unknown property', { points: [{ timestamp: iso(T0), value: 1 }], colour: 'red' }, ['colour']],
      ['a body that is an array', [{ timestamp: iso(T0), value: 1 }], ['']],
    ])('answers 422 naming the field for %s', async (_, body, paths) => {
      const send = body === null ? () => storeRaw(alice.token, `{"points":[{"timestamp":"${iso(T0)}","value":1e400}]}`) : () => store(alice.token, body);
      const problem = await refused(send, 422, paths);
      expect(problem.code).toBe('VALIDATION_FAILED');
    });

    it('answers 422 naming the CSV line', async () => {
      const problem = await refused(() => storeCsv(alice.token, 'timestamp,value\n2025-11-22T10:15:00Z,1\n\nnot-a-time,2\n2025-11-22T10:15:03Z,abc\n'), 422, [
        'line 4',
        'line 5',
      ]);
      expect((problem.errors as Body[])[0].message).toMatch(/timestamp/);
      await refused(() => storeCsv(alice.token, '2025-11-22T10:15:00Z,1\n2025-11-22T10:15:00Z,2\n'), 422, ['line 2']);
      await refused(() => storeCsv(alice.token, 'timestamp,value\n'), 422, ['body']);
      await refused(() => storeCsv(alice.token, '2025-11-22T10:15:00Z,Infinity\n'), 422, ['line 1']);
    });

    it('answers 400 for a bare NaN or Infinity token (not JSON)', async () => {
      const problem = await refused(() => storeRaw(alice.token, `{"points":[{"timestamp":"${iso(T0)}","value":NaN}]}`), 400);
      expect(problem.code).toBe('MALFORMED_JSON');
      await refused(() => storeRaw(alice.token, `{"start":"${iso(T0)}","sampling_rate_hz":1,"values":[Infinity]}`), 400);
    });

    it('answers 413 over SERIES_MAX_POINTS in every form, and for a body over the route limit', async () => {
      const values = Array.from({ length: 1001 }, (_, i) => i);
      expect((await refused(() => store(alice.token, { start: iso(T0), sampling_rate_hz: 1, values }), 413)).code).toBe('SERIES_TOO_LARGE');
      await refused(() => store(alice.token, { points: values.map((v) => ({ timestamp: iso(T0 + v), value: v })) }), 413);
      await refused(() => storeCsv(alice.token, values.map((v) => `${iso(T0 + v)},${v}`).join('\n')), 413);
      // 1000 points × 128 bytes + 1 MB is the limit here; 3 MB of whitespace is over it.
      expect((await refused(() => storeRaw(alice.token, `{"values":[1]${' '.repeat(3 * 1024 * 1024)}}`), 413)).code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('answers 415 for another content type', async () => {
      await refused(() => t.http().post('/api/v1/series').set(auth(alice.token)).set('content-type', 'text/plain').send('1,2'), 415);
    });

    it('keeps other routes at their small body limit', async () => {
      const res = await t.http().post('/api/v1/auth/token').send(`{"username":"${'a'.repeat(2 * 1024 * 1024)}"}`).set('content-type', 'application/json');
      expect(res.status).toBe(413);
    });
  });

  describe('read', () => {
    let id: string;
    const N = 1000;
    const value = (i: number) => Math.sin(i / 10) + (i === 500 ? 10 : 0) - (i === 900 ? 7 : 0);
    beforeAll(async () => {
      const res = await store(alice.token, { start: iso(T0), sampling_rate_hz: 100, values: Array.from({ length: N }, (_, i) => value(i)) }).expect(201);
      id = res.body.id;
    });

    it('windows with limit and offset', async () => {
      const res = await get(alice.token, `/${id}?offset=10&limit=3`).expect(200);
      expect(res.body.count).toBe(N);
      expect(res.body.points).toEqual([10, 11, 12].map((i) => ({ timestamp: iso(T0 + i * 10), value: value(i) })));
      expect((await get(alice.token, `/${id}?offset=5000`).expect(200)).body.points).toEqual([]);
    });

    it('downsamples to max_points keeping the extremes', async () => {
      const res = await get(alice.token, `/${id}?max_points=50`).expect(200);
      const values = res.body.points.map((p: Body) => p.value as number);
      expect(values.length).toBeLessThanOrEqual(50);
      expect(Math.max(...values)).toBe(value(500));
      expect(Math.min(...values)).toBe(value(900));
      expect(res.body.points.map((p: Body) => p.timestamp)).toEqual([...res.body.points.map((p: Body) => p.timestamp)].sort());
    });

    it('answers a repeated full read with the same bytes, and 404 once deleted', async () => {
      const first = await get(alice.token, `/${id}`).expect(200);
      const second = await get(alice.token, `/${id}`).expect(200);
      expect(second.text).toBe(first.text);
      expect(second.body.points).toHaveLength(N);
      const csv = [await get(alice.token, `/${id}`).set('accept', 'text/csv'), await get(alice.token, `/${id}`).set('accept', 'text/csv')];
      expect(csv[1].text).toBe(csv[0].text);
      expect(csv[0].text.split('\n')).toHaveLength(N + 2);

      const copy = (await store(alice.token, { start: iso(T0), sampling_rate_hz: 100, values: [1, 2, 3] }).expect(201)).body.id;
      await get(alice.token, `/${copy}`).expect(200);
      await t.http().delete(`/api/v1/series/${copy}`).set(auth(alice.token)).expect(204);
      await get(alice.token, `/${copy}`).expect(404);
    });

    it('streams CSV on Accept: text/csv', async () => {
      const res = await get(alice.token, `/${id}?limit=2`).set('accept', 'text/csv').expect(200).expect('content-type', /text\/csv/);
      expect(res.text).toBe(`timestamp,value\n${iso(T0)},${value(0)}\n${iso(T0 + 10)},${value(1)}\n`);
    });

    it('answers the raw arrays on Accept: application/octet-stream', async () => {
      const res = await get(alice.token, `/${id}`)
        .set('accept', 'application/octet-stream')
        .buffer(true)
        .parse((response, callback) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => callback(null, Buffer.concat(chunks)));
        })
        .expect(200)
        .expect('x-series-count', String(N));
      const body = res.body as Buffer;
      expect(body.length).toBe(N * 16);
      expect(body.readDoubleLE(0)).toBe(T0);
      expect(body.readDoubleLE(8 * 999)).toBe(T0 + 9990);
      expect(body.readDoubleLE(8 * N + 8 * 500)).toBe(value(500));
    });

    it('reads metrics computed at store time', async () => {
      const res = await store(alice.token, { start: iso(T0), sampling_rate_hz: 1, values: [1, 2, 3, 4, 5] }).expect(201);
      const metrics = (await get(alice.token, `/${res.body.id}/metrics`).expect(200)).body;
      expect(metrics).toEqual({
        count: 5,
        min: 1,
        max: 5,
        mean: 3,
        median: 3,
        std: expect.closeTo(1.5811388, 6),
        variance: expect.closeTo(2.5, 9),
        rms: expect.closeTo(Math.sqrt(11), 9),
        peak: 5,
        peak_to_peak: 4,
        crest_factor: expect.closeTo(5 / Math.sqrt(11), 9),
        skewness: expect.closeTo(0, 9),
        kurtosis: expect.closeTo(1.7, 9),
        p05: expect.closeTo(1.2, 9),
        p95: expect.closeTo(4.8, 9),
        start: iso(T0),
        end: iso(T0 + 4000),
        duration_s: 4,
        mean_interval_s: 1,
        dominant_frequency_hz: expect.any(Number),
      });
      const one = await store(alice.token, { points: [{ timestamp: iso(T0), value: 7 }] }).expect(201);
      const single = (await get(alice.token, `/${one.body.id}/metrics`).expect(200)).body;
      expect(single).toMatchObject({ count: 1, std: null, variance: null, kurtosis: null, mean_interval_s: null });
      expect(single).not.toHaveProperty('dominant_frequency_hz');
    });
  });

  describe('forecast', () => {
    let ramp: string;
    beforeAll(async () => {
      ramp = (await store(alice.token, { start: iso(T0), sampling_rate_hz: 1, values: Array.from({ length: 100 }, (_, i) => i + 1) }).expect(201)).body.id;
    });

    it('continues a ramp with timestamps in the series spacing', async () => {
      const res = await get(alice.token, `/${ramp}/forecast?horizon=3&method=linear`).expect(200);
      expect(res.body).toMatchObject({ method: 'linear', horizon: 3, backtest: { rmse: expect.any(Number), mae: expect.any(Number) } });
      expect(res.body.points.map((p: Body) => p.timestamp)).toEqual([100, 101, 102].map((s) => iso(T0 + s * 1000)));
      res.body.points.forEach((p: Body, k: number) => {
        expect(Math.abs((p.value as number) - (101 + k))).toBeLessThan(1);
        expect(p.lower as number).toBeLessThanOrEqual(101 + k);
        expect(p.upper as number).toBeGreaterThanOrEqual(101 + k);
      });
    });

    it('auto picks a method by back-test and finds a season', async () => {
      const values = Array.from({ length: 480 }, (_, i) => 20 + 5 * Math.sin((2 * Math.PI * i) / 24));
      const id = (await store(alice.token, { start: iso(T0), sampling_rate_hz: 1, values }).expect(201)).body.id;
      const res = await get(alice.token, `/${id}/forecast?horizon=24`).expect(200);
      expect(res.body.method).toBe('holt_winters');
      expect(res.body.season).toEqual({ length: 24, detected_by: 'autocorrelation' });
      expect(res.body.points).toHaveLength(24);
      expect(Math.abs(res.body.points[6].value - 25)).toBeLessThan(0.5);
    });

    it.each([
      ['horizon=0', ['horizon']],
      ['horizon=10001', ['horizon']],
      ['method=arima', ['method']],
    ])('answers 422 for %s', async (query, paths) => {
      const res = await get(alice.token, `/${ramp}/forecast?${query}`).expect(422);
      expect(res.body.errors.map((e: Body) => e.path)).toEqual(paths);
    });

    it('answers 422 with a reason for a series too short for the method', async () => {
      const id = (await store(alice.token, { start: iso(T0), sampling_rate_hz: 1, values: [1, 2] }).expect(201)).body.id;
      const res = await get(alice.token, `/${id}/forecast?method=holt`).expect(422);
      expect(res.body.code).toBe('SERIES_NOT_FORECASTABLE');
      expect(res.body.detail).toMatch(/at least/);
      await get(alice.token, `/${ramp}/forecast?method=holt_winters`).expect(422);
    });
  });

  describe('ownership, listing and deletion', () => {
    it('answers 404 for another user’s series on every route, and for ids that are not UUIDs', async () => {
      const id = (await store(alice.token, { points: [{ timestamp: iso(T0), value: 1 }] }).expect(201)).body.id;
      for (const path of [`/${id}`, `/${id}/metrics`, `/${id}/forecast`, '/not-a-uuid', '/not-a-uuid/metrics']) {
        const res = await get(bob.token, path).expect(404);
        expect(res.body.code).toBe('SERIES_NOT_FOUND');
      }
      await t.http().delete(`/api/v1/series/${id}`).set(auth(bob.token)).expect(404);
      await get(alice.token, `/${id}`).expect(200);
    });

    it('refuses admins with 403', async () => {
      const admin = await t.adminToken();
      await get(admin, '').expect(403);
      await get(admin, '/count').expect(403);
      await store(admin, { points: [{ timestamp: iso(T0), value: 1 }] }).expect(403);
    });

    it('counts and lists per user, newest first, paginated, without points', async () => {
      const carol = await t.createUser();
      expect(await count(carol.token)).toBe(0);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await store(carol.token, { name: `s${i}`, points: [{ timestamp: iso(T0), value: i }] }).expect(201)).body.id);
      expect(await count(carol.token)).toBe(3);
      const first = await get(carol.token, '?limit=2').expect(200);
      expect(first.body.items.map((s: Body) => s.id)).toEqual([ids[2], ids[1]]);
      expect(first.body.items[0]).not.toHaveProperty('points');
      const second = await get(carol.token, `?limit=2&cursor=${first.body.next_cursor}`).expect(200);
      expect(second.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], next_cursor: null });
      expect(await count(bob.token)).toBe(0);
    });

    it('deletes with 204, then 404 everywhere, including a second delete', async () => {
      const id = (await store(alice.token, { points: [{ timestamp: iso(T0), value: 1 }] }).expect(201)).body.id;
      const before = await count(alice.token);
      await t.http().delete(`/api/v1/series/${id}`).set(auth(alice.token)).expect(204);
      expect(await count(alice.token)).toBe(before - 1);
      for (const path of [`/${id}`, `/${id}/metrics`, `/${id}/forecast`]) await get(alice.token, path).expect(404);
      await t.http().delete(`/api/v1/series/${id}`).set(auth(alice.token)).expect(404);
    });
  });
});
