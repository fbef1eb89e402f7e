import { syntheticEcg } from '../factories/ecg-signal.factory';
import { createTestApp, TestApp } from '../utils/test-app';
import { poll } from '../utils/poll';

type Body = Record<string, unknown>;

const DATE = '2025-11-22T10:15:00Z';
const validBody = (overrides: Body = {}): Body => ({
  date: DATE,
  leads: [
    { name: 'I', signal: [1, -1, 1, -1, 1, -1, 0, -1, 0, 1] },
    { name: 'II', number_of_samples: 3, signal: [-1, 0, -1] },
  ],
  ...overrides,
});

describe('ECG', () => {
  let t: TestApp;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  beforeAll(async () => {
    t = await createTestApp();
    alice = await t.createUser();
    bob = await t.createUser();
  });
  afterAll(() => t.close());

  const submit = (token: string, body: unknown) => t.http().post('/api/v1/ecgs').set('authorization', `Bearer ${token}`).send(body as object);
  const get = (token: string, id: string) => t.http().get(`/api/v1/ecgs/${encodeURIComponent(id)}`).set('authorization', `Bearer ${token}`);

  /** Polls GET until the ECG is finished; fails with the last answer when the deadline passes. */
  const waitFinished = (token: string, id: string): Promise<Body> =>
    poll(
      async () => (await get(token, id).expect(200)).body as Body,
      (body) => body.status === 'completed' || body.status === 'failed',
      `ECG ${id} is finished`,
      { timeoutMs: 20_000, intervalMs: 25 },
    );

  it('accepts an ECG with 202 and reports per-lead insights once completed', async () => {
    const res = await submit(alice.token, validBody({ id: 'zero-crossings' })).expect(202);
    expect(res.body).toEqual({ id: 'zero-crossings', status: 'queued', links: { self: '/api/v1/ecgs/zero-crossings' } });

    const ecg = await waitFinished(alice.token, 'zero-crossings');

    expect(ecg).toEqual({
      id: 'zero-crossings',
      date: '2025-11-22T10:15:00.000Z',
      sampling_rate_hz: null,
      status: 'completed',
      created_at: expect.any(String),
      processed_at: expect.any(String),
      error: null,
      leads: [
        { name: 'I', number_of_samples: 10, zero_crossings: 6, min: -1, max: 1, mean: 0, r_peak_count: null, heart_rate_bpm: null },
        { name: 'II', number_of_samples: 3, zero_crossings: 0, min: -1, max: 0, mean: -2 / 3, r_peak_count: null, heart_rate_bpm: null },
      ],
    });
    expect(JSON.stringify(ecg)).not.toMatch(/signal/);
  });

  it('generates a UUID id when none is given', async () => {
    const res = await submit(alice.token, validBody()).expect(202);
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.links.self).toBe(`/api/v1/ecgs/${res.body.id}`);
    expect((await waitFinished(alice.token, res.body.id)).status).toBe('completed');
  });

  it('finds a 72 bpm heart rate in a synthetic 500 Hz ECG within 2 bpm', async () => {
    const lead = (name: string, seed: number, invert = false) => ({
      name,
      signal: Array.from(syntheticEcg({ bpm: 72, samplingRateHz: 500, durationS: 10, noiseAmplitude: 30, seed, invert })),
    });
    await submit(alice.token, { id: 'rate-72', date: DATE, sampling_rate_hz: 500, leads: [lead('II', 1), lead('V1', 2), lead('aVR', 3, true)] }).expect(202);

    const ecg = await waitFinished(alice.token, 'rate-72');

    expect(ecg.status).toBe('completed');
    expect(ecg.sampling_rate_hz).toBe(500);
    expect(Math.abs((ecg.heart_rate_bpm as number) - 72)).toBeLessThanOrEqual(2);
    for (const l of ecg.leads as Body[]) {
      expect(l.number_of_samples).toBe(5000);
      expect(Math.abs((l.heart_rate_bpm as number) - 72)).toBeLessThanOrEqual(2);
      expect(l.r_peak_count).toBeGreaterThanOrEqual(11);
    }
  });

  describe('answers 422 naming the path of each violation', () => {
    const lead = (overrides: Body) => ({ name: 'I', signal: [1, 2, 3], ...overrides });
    const cases: [string, Body, string][] = [
      ['a bad lead name', validBody({ leads: [lead({}), lead({ name: 'V7' })] }), 'leads[1].name'],
      ['a duplicate lead name', validBody({ leads: [lead({}), lead({ name: 'II' }), lead({ name: 'I' })] }), 'leads[2].name'],
      ['a float sample', validBody({ leads: [lead({ signal: [1, 2.5, 3] })] }), 'leads[0].signal'],
      ['a string sample', validBody({ leads: [lead({}), lead({ name: 'II', signal: [1, '2'] })] }), 'leads[1].signal'],
      ['a null sample', validBody({ leads: [lead({ signal: [null] })] }), 'leads[0].signal'],
      ['a boolean sample', validBody({ leads: [lead({ signal: [true] })] }), 'leads[0].signal'],
      ['a sample above int32', validBody({ leads: [lead({ signal: [2 ** 31] })] }), 'leads[0].signal'],
      ['an empty signal', validBody({ leads: [lead({ signal: [] })] }), 'leads[0].signal'],
      ['a missing signal', validBody({ leads: [{ name: 'I' }] }), 'leads[0].signal'],
      ['a mismatched number_of_samples', validBody({ leads: [lead({}), lead({ name: 'II', number_of_samples: 4 })] }), 'leads[1].number_of_samples'],
      ['a missing date', { leads: [lead({})] }, 'date'],
      ['a bad date', validBody({ date: '2025-02-30T10:00:00Z' }), 'date'],
      ['a date that is not ISO-8601', validBody({ date: 'yesterday' }), 'date'],
      ['a date in year 0', validBody({ date: '0000-06-01' }), 'date'],
      ['empty leads', validBody({ leads: [] }), 'leads'],
      ['missing leads', { date: DATE }, 'leads'],
      ['a lead that is not an object', validBody({ leads: [42] }), 'leads[0]'],
      ['an unknown field', validBody({ patient: 'x' }), 'patient'],
      ['an unknown lead field', validBody({ leads: [lead({ unit: 'uV' })] }), 'leads[0].unit'],
      ['a bad id', validBody({ id: 'has space' }), 'id'],
      ['a too long id', validBody({ id: 'x'.repeat(65) }), 'id'],
      ['a zero sampling rate', validBody({ sampling_rate_hz: 0 }), 'sampling_rate_hz'],
      ['a sampling rate over 100 kHz', validBody({ sampling_rate_hz: 100_001 }), 'sampling_rate_hz'],
      ['a string sampling rate', validBody({ sampling_rate_hz: '500' }), 'sampling_rate_hz'],
    ];
    it.each(cases)('%s', async (_, body, path) => {
      const res = await submit(alice.token, body).expect(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors).toEqual(expect.arrayContaining([{ path, message: expect.any(String) }]));
    });

    it('names the first bad sample in the message', async () => {
      const res = await submit(alice.token, validBody({ leads: [lead({ signal: [1, 2, 3, 4.5, 'x'] })] })).expect(422);
      expect(res.body.errors).toEqual([{ path: 'leads[0].signal', message: expect.stringMatching(/sample 3 is 4\.5/) }]);
    });

    it('stores nothing for a refused ECG', async () => {
      await submit(alice.token, validBody({ id: 'refused', leads: [lead({ signal: [0.5] })] })).expect(422);
      await get(alice.token, 'refused').expect(404);
    });
  });

  it('reads a date-time without an offset as UTC', async () => {
    await submit(alice.token, validBody({ id: 'no-offset', date: '2025-11-22T10:15:00' })).expect(202);
    expect((await get(alice.token, 'no-offset').expect(200)).body.date).toBe('2025-11-22T10:15:00.000Z');
  });

  it('answers 409 for a repeated id of the same user, and 202 for the same id of another user', async () => {
    await submit(alice.token, validBody({ id: 'shared-id' })).expect(202);
    const again = await submit(alice.token, validBody({ id: 'shared-id' })).expect(409);
    expect(again.body.code).toBe('ECG_ALREADY_EXISTS');
    await submit(bob.token, validBody({ id: 'shared-id' })).expect(202);
  });

  it('answers 409 to exactly all but one of concurrent submissions with one id', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => submit(alice.token, validBody({ id: 'raced' }))));
    expect(answers.map((r) => r.status).sort()).toEqual([202, 409, 409, 409, 409]);
  });

  it("answers 404 for another user's ECG and for an unknown id", async () => {
    await submit(alice.token, validBody({ id: 'alice-only' })).expect(202);
    const foreign = await get(bob.token, 'alice-only').expect(404);
    expect(foreign.body.code).toBe('ECG_NOT_FOUND');
    const unknown = await get(alice.token, 'never-submitted').expect(404);
    // Ids no ECG can have (a NUL byte would make PostgreSQL fail) are simply not found.
    await get(alice.token, '\u0000').expect(404);
    await get(alice.token, 'x'.repeat(300)).expect(404);
    expect({ ...foreign.body, detail: '', request_id: '' }).toEqual({ ...unknown.body, detail: '', request_id: '' });
  });

  it('refuses the admin with 403 on every ECG route', async () => {
    const admin = await t.adminToken();
    expect((await submit(admin, validBody()).expect(403)).body.code).toBe('FORBIDDEN');
    await t.http().get('/api/v1/ecgs').set('authorization', `Bearer ${admin}`).expect(403);
    await get(admin, 'zero-crossings').expect(403);
  });

  it('requires a token', async () => {
    await t.http().post('/api/v1/ecgs').send(validBody()).expect(401);
    await t.http().get('/api/v1/ecgs').expect(401);
  });

  it('lists only your own ECGs, newest first, one page at a time', async () => {
    const carol = await t.createUser();
    for (const id of ['first', 'second', 'third']) await submit(carol.token, validBody({ id })).expect(202);

    const seen: Body[] = [];
    let cursor: string | null | undefined;
    do {
      const res = await t
        .http()
        .get('/api/v1/ecgs')
        .query({ limit: 1, ...(cursor ? { cursor } : {}) })
        .set('authorization', `Bearer ${carol.token}`)
        .expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...res.body.items);
      cursor = res.body.next_cursor;
    } while (cursor);

    expect(seen.map((e) => e.id)).toEqual(['third', 'second', 'first']);
    expect(seen[0]).toEqual({
      id: 'third',
      date: '2025-11-22T10:15:00.000Z',
      status: expect.stringMatching(/^(queued|processing|completed)$/),
      created_at: expect.any(String),
      processed_at: seen[0].status === 'completed' ? expect.any(String) : null,
      number_of_leads: 2,
    });
    const all = await t.http().get('/api/v1/ecgs').set('authorization', `Bearer ${carol.token}`).expect(200);
    // Statuses move on meanwhile; the set and order of ECGs do not.
    expect(all.body.items.map((e: Body) => e.id)).toEqual(['third', 'second', 'first']);
    expect(all.body.next_cursor).toBeNull();
  });

  it.each([
    ['not base64 JSON', '%%%'],
    ['JSON of the wrong shape', Buffer.from('{"x":1}').toString('base64url')],
    ['a key that is not one of ours', Buffer.from('{"k":"1 OR 1=1"}').toString('base64url')],
  ])('answers 422 for a cursor that is %s', async (_, cursor) => {
    const res = await t.http().get('/api/v1/ecgs').query({ cursor }).set('authorization', `Bearer ${alice.token}`).expect(422);
    expect(res.body.errors).toEqual([{ path: 'cursor', message: expect.any(String) }]);
  });

  it('accepts a 12-lead, 60 s, 1 kHz ECG and answers 413 above the 16 MB body limit', async () => {
    const names = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
    const full = { id: 'full-size', date: DATE, sampling_rate_hz: 1000, leads: names.map((name) => ({ name, signal: new Array(60_000).fill(-2_000_000) })) };
    await submit(alice.token, full).expect(202);
    expect((await waitFinished(alice.token, 'full-size')).status).toBe('completed');

    const oversize = `{"date":"${DATE}","leads":[{"name":"I","signal":[${'1000000,'.repeat(2_200_000)}1]}]}`;
    const res = await t.http().post('/api/v1/ecgs').set('authorization', `Bearer ${alice.token}`).type('json').send(oversize);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
