import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { audioFixture } from '../factories/audio-fixtures';
import { astronautJpeg } from '../factories/task-media.factory';
import { ContractViolation, GENERATED_CLIENT_FILE, horizonClient, OPENAPI_FILE, OpenApiValidator, type HorizonClient } from '../client/openapi-client';
import { poll } from '../utils/poll';
import { ADMIN, createTestApp, TestApp } from '../utils/test-app';

describe('test/client/horizon-api.ts', () => {
  it('is the one openapi-typescript generates from the committed openapi.json (`npm run openapi:client` after `npm run openapi`)', () => {
    const bin = join(__dirname, '..', '..', 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
    // npm run openapi:client
    const generated = execFileSync(process.execPath, [bin, OPENAPI_FILE, '--default-non-nullable', 'false'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(generated).toBe(readFileSync(GENERATED_CLIENT_FILE, 'utf8'));
  });
});

/**
 * The README's flows through a client generated from openapi.json (openapi-typescript +
 * openapi-fetch, in test/client), every answer checked against the document by ajv: what a
 * user generating a client for another language would get.
 */
describe('the generated client', () => {
  let t: TestApp;
  let base: string;
  let alice: HorizonClient;

  beforeAll(async () => {
    t = await createTestApp();
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    const anonymous = horizonClient(base);
    const admin = (await anonymous.POST('/api/v1/auth/token', { body: { username: ADMIN.username, password: ADMIN.password } })).data!;
    const asAdmin = horizonClient(base, admin.access_token);
    const created = await asAdmin.POST('/api/v1/users', { body: { username: 'client-alice', password: 'alice-password' } });
    expect(created.response.status).toBe(201);
    const token = (await anonymous.POST('/api/v1/auth/token', { body: { username: 'client-alice', password: 'alice-password' } })).data!;
    alice = horizonClient(base, token.access_token);
  });
  afterAll(() => t.close());

  it('signs in and reads its own account', async () => {
    const me = await alice.GET('/api/v1/users/me');
    expect(me.data).toMatchObject({ username: 'client-alice' });
  });

  it('submits an ECG and reads its insights', async () => {
    const signal = [1, -1, 1, -1, 1, -1, 0, -1, 0, 1];
    const posted = await alice.POST('/api/v1/ecgs', { body: { id: 'ecg-1', date: '2026-11-22T10:00:00Z', leads: [{ name: 'I', signal }] } });
    expect(posted.response.status).toBe(202);
    const ecg = await poll(async () => (await alice.GET('/api/v1/ecgs/{id}', { params: { path: { id: 'ecg-1' } } })).data!, (e) => e.status === 'completed', 'the ECG is analysed');
    expect(ecg.leads[0]).toMatchObject({ name: 'I', zero_crossings: 6 });
    const list = await alice.GET('/api/v1/ecgs');
    expect(list.data!.items.map((e) => e.id)).toContain('ecg-1');
  });

  it('uploads a log file, lists its job and reads its entries', async () => {
    const form = new FormData();
    const line = '{"timestamp":"2026-11-22T10:00:00Z","level":"error","message":"payment declined","service":"billing"}\n';
    form.append('file', new Blob([line]), 'app.jsonl');
    const upload = await alice.POST('/api/v1/files/upload', { body: form as never, bodySerializer: (body) => body as unknown as FormData });
    expect(upload.response.status).toBe(202);
    const id = upload.data!.job_id;
    const job = await poll(async () => (await alice.GET('/api/v1/jobs/{id}', { params: { path: { id } } })).data!, (j) => j.status === 'completed', 'the job completes');
    expect(job).toMatchObject({ entries_ingested: 1, error: null });
    const entries = await alice.GET('/api/v1/jobs/{id}/entries', { params: { path: { id } } });
    expect(entries.data!.items[0]).toMatchObject({ message: 'payment declined', service: 'billing' });
    expect((await alice.GET('/api/v1/jobs')).data!.items.map((j) => j.job_id)).toContain(id);
  });

  it('creates a series and reads its metrics and forecast', async () => {
    const values = [1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3, 4, 5];
    const series = await alice.POST('/api/v1/series', { body: { name: 'demo', start: '2026-11-22T10:00:00Z', sampling_rate_hz: 10, values } });
    expect(series.response.status).toBe(201);
    const id = series.data!.id;
    const metrics = await alice.GET('/api/v1/series/{id}/metrics', { params: { path: { id } } });
    expect(metrics.data).toMatchObject({ count: values.length });
    const forecast = await alice.GET('/api/v1/series/{id}/forecast', { params: { path: { id }, query: { horizon: 5 } } });
    expect(forecast.response.status).toBe(200);
  });

  it('anonymises an image: a task whose engine is null until it ran, then an object', async () => {
    const created = await alice.POST('/api/v1/tasks', { body: { file_name: 'astronaut.jpg', media_type: 'image', objects: ['face'] } });
    expect(created.response.status).toBe(201);
    const id = created.data!.id;
    expect(created.data!.engine).toBeNull(); // the field the document used to describe as always an object
    const put = await alice.PUT('/api/v1/tasks/{id}/file', {
      params: { path: { id } },
      body: new Uint8Array(astronautJpeg()) as never,
      bodySerializer: (body) => body as unknown as Uint8Array<ArrayBuffer>,
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(put.response.status).toBe(202);
    const task = await poll(
      async () => (await alice.GET('/api/v1/tasks/{id}', { params: { path: { id } } })).data!,
      (x) => ['processed', 'completed', 'failed'].includes(x.status),
      'the task is processed',
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(task.error).toBeNull();
    expect(task.engine).toMatchObject({ name: expect.any(String) });
    const result = await alice.GET('/api/v1/tasks/{id}/result', { params: { path: { id } }, parseAs: 'arrayBuffer' });
    expect(result.response.status).toBe(200);
  });

  it('transcribes a clip and finds it by a word', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(audioFixture('fox.wav'))]), 'fox.wav');
    const posted = await alice.POST('/api/v1/transcriptions', { body: form as never, bodySerializer: (body) => body as unknown as FormData });
    expect(posted.response.status).toBe(202);
    const id = posted.data!.id;
    const done = await poll(
      async () => (await alice.GET('/api/v1/transcriptions/{id}', { params: { path: { id } } })).data!,
      (x) => ['completed', 'failed'].includes(x.status),
      'the transcription finishes',
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(done).toMatchObject({ status: 'completed', error: null });
    const found = await alice.GET('/api/v1/transcriptions', { params: { query: { q: 'fox' } } });
    expect(found.response.status).toBe(200);
  });

  it('gets documented problem+json for another user’s or an unknown resource, and for invalid input', async () => {
    const missing = await alice.GET('/api/v1/jobs/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ status: 404, code: expect.any(String) });
    const invalid = await alice.POST('/api/v1/series', { body: { name: 'x', start: 'yesterday', values: [] } as never });
    expect(invalid.response.status).toBe(422);
    expect(invalid.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: expect.any(Array) });
  });

  it('rejects an answer the document does not describe (the validator is not a rubber stamp)', () => {
    const validator = new OpenApiValidator();
    expect(() => validator.check('GET', '/api/v1/tasks/{id}', 200, 'application/json', { id: 'x' })).toThrow(ContractViolation);
    expect(() => validator.check('GET', '/api/v1/users/me', 418, 'application/json', {})).toThrow(/status not documented/);
  });
});
