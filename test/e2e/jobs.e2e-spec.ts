import { logLine, validLogFile } from '../factories/log-file.factory';
import { DataSource } from 'typeorm';
import { ObjectStorage } from '../../src/core/storage/object-storage';
import { createTestApp, TestApp } from '../utils/test-app';
import { poll } from '../utils/poll';

const MIXED = [
  logLine({ message: 'first', extra: { nested: true } }), // 1
  '', // 2: blank, skipped, not rejected
  'not json at all', // 3
  '[1, 2, 3]', // 4
  logLine({ level: 'LOUD' }), // 5
  logLine({ level: 'warn', service: null, message: 'disk almost full' }), // 6
  JSON.stringify({ level: 'INFO', message: 'no timestamp' }), // 7
  logLine({ timestamp: 'yesterday' }), // 8
  logLine({ message: 42 }), // 9
  logLine({ level: 'fatal', message: 'database unreachable', service: 'billing' }), // 10
].join('\r\n'); // CRLF, and no newline after the last line

describe('jobs: log-file ingestion', () => {
  let t: TestApp;
  let alice: { token: string };
  let bob: { token: string };
  beforeAll(async () => {
    t = await createTestApp({ UPLOAD_MAX_BYTES: String(256 * 1024) });
    alice = await t.createUser();
    bob = await t.createUser();
  });
  afterAll(() => t.close());

  const as = (user: { token: string }) => ({ authorization: `Bearer ${user.token}` });
  const upload = (user: { token: string }, content: string | Buffer, name = 'app.jsonl') =>
    t.http().post('/api/v1/files/upload').set(as(user)).attach('file', Buffer.from(content), name);

  const waitForTerminal = (user: { token: string }, id: string) =>
    poll(
      async () => (await t.http().get(`/api/v1/jobs/${id}`).set(as(user)).expect(200)).body,
      (job) => job.status === 'completed' || job.status === 'failed',
      `job ${id} is finished`,
      { timeoutMs: 30_000, intervalMs: 50 },
    );

  describe('a mixed file', () => {
    let jobId: string;
    beforeAll(async () => {
      const res = await upload(alice, MIXED).expect(202);
      expect(res.body).toEqual({
        job_id: expect.any(String),
        status: 'queued',
        file_name: 'app.jsonl',
        size_bytes: Buffer.byteLength(MIXED),
        links: expect.objectContaining({ self: `/api/v1/jobs/${res.body.job_id}` }),
      });
      jobId = res.body.job_id;
    });

    it('completes with exact counts', async () => {
      const job = await waitForTerminal(alice, jobId);
      expect(job).toMatchObject({ status: 'completed', progress: 100, lines_read: 10, entries_ingested: 3, lines_rejected: 6, error: null });
      expect(job.started_at).not.toBeNull();
      expect(job.completed_at).not.toBeNull();
    });

    it('keeps each rejected line number with a reason', async () => {
      const res = await t.http().get(`/api/v1/jobs/${jobId}/rejections`).set(as(alice)).expect(200);
      expect(res.body.items.map((r: { line: number }) => r.line)).toEqual([3, 4, 5, 7, 8, 9]);
      for (const r of res.body.items) expect(r.reason).toEqual(expect.any(String));
      expect(res.body.items[4].reason).toMatch(/timestamp/);
    });

    it('serves entries in line order with normalised levels and attributes', async () => {
      const res = await t.http().get(`/api/v1/jobs/${jobId}/entries`).set(as(alice)).expect(200);
      expect(res.body.items).toEqual([
        { line: 1, timestamp: '2026-11-22T10:00:00.000Z', level: 'INFO', service: 'auth', message: 'first', attributes: { extra: { nested: true } } },
        { line: 6, timestamp: '2026-11-22T10:00:00.000Z', level: 'WARNING', service: null, message: 'disk almost full', attributes: {} },
        { line: 10, timestamp: '2026-11-22T10:00:00.000Z', level: 'CRITICAL', service: 'billing', message: 'database unreachable', attributes: {} },
      ]);
      expect(res.body.next_cursor).toBeNull();
    });
  });

  describe('entry filters and pagination', () => {
    let jobId: string;
    beforeAll(async () => {
      jobId = (await upload(alice, validLogFile(100)).expect(202)).body.job_id;
      await waitForTerminal(alice, jobId);
    });
    const entries = (query: string) => t.http().get(`/api/v1/jobs/${jobId}/entries?${query}`).set(as(alice));

    it('filters by level (aliases too), service, time range and full text', async () => {
      const errors = await entries('level=error&limit=500').expect(200);
      expect(errors.body.items.every((e: { level: string }) => e.level === 'ERROR')).toBe(true);
      expect(errors.body.items).toHaveLength(20);
      expect((await entries('level=warn&limit=500').expect(200)).body.items).toHaveLength(20);
      const billing = await entries('service=billing&limit=500').expect(200);
      expect(billing.body.items.every((e: { service: string }) => e.service === 'billing')).toBe(true);
      const window = await entries('from=2026-11-22T10:00:10Z&to=2026-11-22T10:00:20Z').expect(200);
      expect(window.body.items.map((e: { line: number }) => e.line)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      const declined = await entries('q=declined%20payments&limit=500').expect(200);
      expect(declined.body.items.map((e: { line: number }) => e.line)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    });

    it('pages with an opaque cursor, in line order, without gaps or repeats', async () => {
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { items: { line: number }[]; next_cursor: string | null } } = await entries(`limit=30${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
        seen.push(...res.body.items.map((e) => e.line));
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    });

    it('answers 422 for bad filters and a forged cursor', async () => {
      expect((await entries('level=LOUD').expect(422)).body.errors[0].path).toBe('level');
      expect((await entries('from=yesterday').expect(422)).body.errors[0].path).toBe('from');
      expect((await entries('limit=0').expect(422)).body.errors[0].path).toBe('limit');
      expect((await entries('cursor=garbage').expect(422)).body.errors[0].path).toBe('cursor');
    });
  });

  describe('bad uploads answer 4xx and leave no job behind', () => {
    it.each([
      ['a file that is not .jsonl', () => upload(alice, logLine(), 'app.txt'), 415],
      ['binary content', () => upload(alice, Buffer.from([0x7b, 0x00, 0x01, 0x02]), 'bin.jsonl'), 415],
      ['invalid UTF-8', () => upload(alice, Buffer.from([0xff, 0xfe, 0x41]), 'latin.jsonl'), 415],
      ['an empty file', () => upload(alice, '', 'empty.jsonl'), 422],
      ['a file over UPLOAD_MAX_BYTES', () => upload(alice, validLogFile(3000), 'big.jsonl'), 413],
      ['no file part', () => t.http().post('/api/v1/files/upload').set(as(alice)).field('name', 'x'), 422],
      ['a JSON body', () => t.http().post('/api/v1/files/upload').set(as(alice)).send({ file: 'x' }), 415],
    ])('%s', async (_, send, status) => {
      const before = (await t.http().get('/api/v1/jobs?limit=500').set(as(alice)).expect(200)).body.items.length;
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      const after = (await t.http().get('/api/v1/jobs?limit=500').set(as(alice)).expect(200)).body.items.length;
      expect(after).toBe(before);
    });
  });

  describe('ownership and roles', () => {
    let jobId: string;
    beforeAll(async () => {
      jobId = (await upload(alice, validLogFile(5)).expect(202)).body.job_id;
      await waitForTerminal(alice, jobId);
    });

    it("answers 404 for another user's job on every route", async () => {
      for (const path of [`/api/v1/jobs/${jobId}`, `/api/v1/jobs/${jobId}/entries`, `/api/v1/jobs/${jobId}/rejections`]) {
        expect((await t.http().get(path).set(as(bob)).expect(404)).body.code).toBe('JOB_NOT_FOUND');
      }
      await t.http().delete(`/api/v1/jobs/${jobId}`).set(as(bob)).expect(404);
      await t.http().get('/api/v1/jobs/not-a-uuid').set(as(alice)).expect(404);
      const bobs = await t.http().get('/api/v1/jobs').set(as(bob)).expect(200);
      expect(bobs.body.items).toEqual([]);
    });

    it('refuses the admin with 403', async () => {
      const admin = { token: await t.adminToken() };
      await t.http().get('/api/v1/jobs').set(as(admin)).expect(403);
      await upload(admin, logLine()).expect(403);
    });

    it('lists own jobs newest first', async () => {
      const res = await t.http().get('/api/v1/jobs?limit=2').set(as(alice)).expect(200);
      expect(res.body.items[0].job_id).toBe(jobId);
      expect(res.body.next_cursor).toEqual(expect.any(String));
    });
  });

  it('deletes a job with its entries and file', async () => {
    const jobId = (await upload(alice, validLogFile(5)).expect(202)).body.job_id;
    await waitForTerminal(alice, jobId);
    await t.http().delete(`/api/v1/jobs/${jobId}`).set(as(alice)).expect(204);
    await t.http().get(`/api/v1/jobs/${jobId}`).set(as(alice)).expect(404);
    await t.http().get(`/api/v1/jobs/${jobId}/entries`).set(as(alice)).expect(404);
    expect(await t.app.get(ObjectStorage).stat(`jobs/${jobId}/source.jsonl`)).toBeNull();
    const [left] = await t.app.get(DataSource).query('SELECT count(*)::int AS n FROM log_entries WHERE job_id = $1', [jobId]);
    expect(left.n).toBe(0);
  });

  describe('GraphQL', () => {
    const gql = (user: { token: string } | undefined, query: string, variables: object = {}) => {
      const req = t.http().post('/graphql');
      return (user ? req.set(as(user)) : req).send({ query, variables });
    };

    it('answers job(id) and jobs with the REST fields, null for a foreign id', async () => {
      const jobId = (await upload(alice, validLogFile(3)).expect(202)).body.job_id;
      const rest = await waitForTerminal(alice, jobId);
      const res = await gql(
        alice,
        'query($id: ID!) { job(id: $id) { job_id status progress entries_ingested lines_rejected file_name } jobs(limit: 1) { items { job_id } next_cursor } }',
        { id: jobId },
      ).expect(200);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.job).toEqual({
        job_id: jobId,
        status: rest.status,
        progress: rest.progress,
        entries_ingested: 3,
        lines_rejected: 0,
        file_name: 'app.jsonl',
      });
      expect(res.body.data.jobs.items).toEqual([{ job_id: jobId }]);
      const foreign = await gql(bob, 'query($id: ID!) { job(id: $id) { job_id } }', { id: jobId }).expect(200);
      expect(foreign.body.data.job).toBeNull();
    });

    it('refuses a request without a token', async () => {
      const res = await gql(undefined, '{ jobs { items { job_id } } }');
      expect(res.body.data).toBeNull();
      expect(res.body.errors[0].extensions.code).toBe('UNAUTHORIZED');
    });
  });
});
