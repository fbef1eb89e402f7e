import { createTestApp, TestApp } from '../utils/test-app';

describe('HTTP errors are problem+json, never a 5xx for client input', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.adminToken();
  });
  afterAll(() => t.close());

  const expectProblem = (res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
    expect(JSON.stringify(res.body)).not.toMatch(/at \w+ \(|SELECT|INSERT|node_modules/);
  };

  it('malformed JSON is 400', async () => {
    const res = await t.http().post('/api/v1/users').set('authorization', `Bearer ${admin}`).type('json').send('{"username": "x",');
    expectProblem(res, 400, 'MALFORMED_JSON');
  });

  it('unknown fields are 422 and named', async () => {
    const res = await t.http().post('/api/v1/users').set('authorization', `Bearer ${admin}`).send({ username: 'carol', password: 'carol-password', is_admin: true });
    expectProblem(res, 422, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual([{ path: 'is_admin', message: expect.stringMatching(/should not exist/) }]);
  });

  it('wrong types are 422', async () => {
    const res = await t.http().post('/api/v1/users').set('authorization', `Bearer ${admin}`).send({ username: 42, password: ['x'] });
    expectProblem(res, 422, 'VALIDATION_FAILED');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['username', 'password']));
  });

  it('a JSON array or scalar body is 422, not a crash', async () => {
    expectProblem(await t.http().post('/api/v1/users').set('authorization', `Bearer ${admin}`).send([1, 2]), 422, 'VALIDATION_FAILED');
  });

  it('an oversize body is 413', async () => {
    const res = await t.http().post('/api/v1/users').set('authorization', `Bearer ${admin}`).send({ username: 'dave', password: 'x'.repeat(2 * 1024 * 1024) });
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a wrong content type is 415', async () => {
    const res = await t.http().post('/api/v1/users').set('authorization', `Bearer ${admin}`).set('content-type', 'text/plain').send('username=x');
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('an unknown route is 404', async () => {
    expectProblem(await t.http().get('/api/v1/nope').set('authorization', `Bearer ${admin}`), 404, 'NOT_FOUND');
  });

  it('keeps a sane incoming request id and mints one otherwise', async () => {
    const kept = await t.http().get('/api/v1/nope').set('x-request-id', 'trace-123');
    expect(kept.headers['x-request-id']).toBe('trace-123');
    const minted = await t.http().get('/api/v1/nope').set('x-request-id', 'bad id with spaces');
    expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves liveness, readiness and metrics without a token', async () => {
    await t.http().get('/health/live').expect(200, { status: 'ok' });
    await t.http().get('/api/v1/users/me').set('authorization', `Bearer ${admin}`).expect(200);
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.info).toMatchObject({ database: { status: 'up' }, broker: { status: 'up' }, storage: { status: 'up' } });
    const metrics = await t.http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/horizon_http_request_duration_seconds_bucket\{.*route="\/api\/v1\/users\/me"/s);
    // A probe is answered before the metrics middleware (configure-http.ts): it is not counted.
    expect(metrics.text).not.toMatch(/route="\/health\/live"/);
  });

  it('sends security headers, relaxed only for Swagger UI', async () => {
    const api = await t.http().get('/health/live');
    expect(api.headers['content-security-policy']).toBeDefined();
    expect(api.headers['x-powered-by']).toBeUndefined();
    // The probe's short path (configure-http.ts) keeps the request id and the headers; from a
    // browser (Origin) the route answers through CORS like any other.
    expect(api.headers['x-request-id']).toBeDefined();
    await t.http().head('/health/live?probe=1').expect(200);
    const browser = await t.http().get('/health/live').set('origin', 'https://console.example').expect(200, { status: 'ok' });
    expect(browser.headers['access-control-allow-origin']).toBeDefined();
    expect(browser.headers['content-security-policy']).toBeDefined();
    const docs = await t.http().get('/docs/').expect(200);
    expect(docs.headers['content-security-policy']).toBeUndefined();
    expect(docs.text).toMatch(/swagger/i);
  });
});
