import { createHmac } from 'node:crypto';
import { readdir, readlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, sep } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import fc from 'fast-check';
import { pct, requestFor, type Credentials } from '../utils/hostile/arbitraries';
import { contractViolation, findLeak } from '../utils/hostile/contract';
import { NASTY_BODIES, NASTY_STRINGS } from '../utils/hostile/nasty-values';
import { loadOperations, type Operation } from '../utils/hostile/openapi-operations';
import { send, sendRaw, type Answer, type HostileRequest } from '../utils/hostile/raw-http';
import { createTestApp, TestApp } from '../utils/test-app';

/**
 * The hostile-input suite: every operation in the committed openapi.json, including ones added
 * after this file was written, gets random and mutated path, query, header, body and token values
 * plus a table of known-nasty ones, and every answer must keep the contract (contract.ts): no
 * 5xx, problem+json with a stable code, nothing internal. HOSTILE_RUNS raises the random runs per
 * operation (default 30) and HOSTILE_SEED replays another sequence; the default seed is fixed so
 * `npm test` is repeatable.
 */
const SEED = Number(process.env.HOSTILE_SEED ?? 20261126);
const RUNS = Number(process.env.HOSTILE_RUNS ?? 30);
const spec = loadOperations();

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function hs256(payload: Record<string, unknown>, secret: string, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const signing = `${b64url(header)}.${b64url(payload)}`;
  return `${signing}.${createHmac('sha256', secret).update(signing).digest('base64url')}`;
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

function describeRequest(req: HostileRequest): string {
  const body = req.body ? ` body(${req.body.length}B)=${JSON.stringify(req.body.subarray(0, 120).toString('utf8'))}` : '';
  return `${req.method} ${req.path.slice(0, 300)} headers=${JSON.stringify(req.headers).slice(0, 300)}${body}`;
}

describe('hostile input: every operation in openapi.json keeps the error contract', () => {
  let t: TestApp;
  let port: number;
  let creds: Credentials;
  /** For operations that end the session they are called with (logout): tokens of their own. */
  let sessionEndingCreds: Credentials;
  let user: { id: string; token: string; username: string };
  const credsFor = (op: Operation) => (op.path === '/api/v1/auth/logout' ? sessionEndingCreds : creds);

  const call = async (req: HostileRequest): Promise<Answer> => {
    try {
      return await send(port, req);
    } catch (error) {
      // The server may answer early (413) and close while a large body is still being written.
      if ((error as NodeJS.ErrnoException).code === 'EPIPE' || (error as NodeJS.ErrnoException).code === 'ECONNRESET') {
        return { status: 499, headers: {}, text: '' };
      }
      throw error;
    }
  };
  const expectContract = async (req: HostileRequest): Promise<Answer> => {
    const answer = await call(req);
    if (answer.status === 499) return answer;
    const violation = contractViolation(answer);
    if (violation) throw new Error(`${violation}\n  for ${describeRequest(req)}`);
    return answer;
  };
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  async function waitForJob(id: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await t.http().get(`/api/v1/jobs/${id}`).set(as(user.token));
      if (['completed', 'failed'].includes(res.body.status)) return res.body;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${res.body.status}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  beforeAll(async () => {
    t = await createTestApp({ AUTH_RATE_LIMIT: '1000000', UPLOAD_MAX_BYTES: String(256 * 1024) });
    port = (t.app.getHttpServer().address() as { port: number }).port;
    user = await t.createUser();
    const admin = await t.adminToken();
    const jwt = t.app.get(JwtService);
    const [head, payload] = user.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    creds = {
      user: user.token,
      admin,
      forged: [
        `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...claims, role: 'admin' })}.`,
        `${head}.${b64url({ ...claims, role: 'admin' })}.${user.token.split('.')[2]}`,
        hs256({ ...claims }, 'not-the-secret-not-the-secret-not-the-secret'),
        hs256({ ...claims }, 'x', { alg: 'HS512', typ: 'JWT' }),
        jwt.sign({ sub: 'not-a-uuid', role: 'user', username: 'x' }, { algorithm: 'HS256' }),
        jwt.sign({ sub: user.id, role: 'root', username: 'x' }, { algorithm: 'HS256' }),
        jwt.sign({ sub: { $ne: null }, role: 'user' }, { algorithm: 'HS256' }),
        jwt.sign({ sub: '00000000-0000-4000-8000-000000000000', role: 'user', username: 'ghost' }, { algorithm: 'HS256' }),
        jwt.sign({ sub: user.id, role: 'user', username: 'x' }, { algorithm: 'HS256', expiresIn: -60 }),
        'a'.repeat(8000),
        'e30.e30.',
        '..',
        '\u00ff\u00fe',
      ],
      ids: new Map(),
    };
    sessionEndingCreds = { ...creds, user: await t.tokenFor(user.username, 'user-password-1'), admin: await t.adminToken() };

    // Seed one resource per existing feature, then harvest ids from every list route the spec
    // names, so path ids also reach the deeper code (filters on a real job, a real ECG).
    const upload = await t
      .http()
      .post('/api/v1/files/upload')
      .set(as(user.token))
      .attach('file', Buffer.from('{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"seed","service":"s"}\n'), 'seed.jsonl');
    if (upload.status === 202) await waitForJob(upload.body.job_id);
    await t.http().post('/api/v1/ecgs').set(as(user.token)).send({ date: '2024-05-01T00:00:00Z', leads: [{ name: 'I', signal: [1, -1, 2] }] });
    for (const op of spec.operations) {
      if (op.method !== 'GET' || op.path.includes('{') || !op.secured) continue;
      const res = await t.http().get(op.path).set(as(user.token));
      const items: Record<string, unknown>[] = Array.isArray(res.body?.items) ? res.body.items : [];
      const ids = items.flatMap((item) => Object.entries(item).filter(([k, v]) => (k === 'id' || k.endsWith('_id')) && typeof v === 'string').map(([, v]) => v as string));
      if (ids.length) creds.ids.set(op.path, ids.slice(0, 3));
    }
  }, 120_000);

  afterAll(() => t?.close());

  it('reads operations from openapi.json', () => {
    expect(spec.operations.length).toBeGreaterThanOrEqual(10);
  });

  describe('random and mutated requests', () => {
    // DELETE last: it removes the seeded resources the other operations reach with real ids.
    const ordered = [...spec.operations].sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    it.each(ordered.map((op) => [op.id, op] as [string, Operation]))('%s', async (_, op) => {
      await fc.assert(
        fc.asyncProperty(requestFor(spec, op, credsFor(op)), async (req) => {
          await expectContract(req);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    }, 120_000);
  });

  describe('the known-nasty table in every slot', () => {
    const ordered = [...spec.operations].sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    it.each(ordered.map((op) => [op.id, op] as [string, Operation]))('%s', async (_, op) => {
      const base = (path: string, body?: string): HostileRequest => ({
        method: op.method,
        path,
        headers: { ...as(credsFor(op).user), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : Buffer.from(body),
      });
      const realId = (op.method === 'DELETE' ? undefined : creds.ids.get(op.path.split('/{')[0])?.[0]) ?? '00000000-0000-4000-8000-000000000000';
      const withIds = op.path.replace(/\{[^}]+\}/g, realId);
      const requests: HostileRequest[] = [];
      for (const value of NASTY_STRINGS) {
        for (const p of op.parameters.filter((x) => x.in === 'path')) {
          requests.push(base(op.path.replace(`{${p.name}}`, pct(value)).replace(/\{[^}]+\}/g, realId)));
          if (value.startsWith('%')) requests.push(base(op.path.replace(`{${p.name}}`, value).replace(/\{[^}]+\}/g, realId)));
        }
        for (const p of op.parameters.filter((x) => x.in === 'query')) {
          requests.push(base(`${withIds}?${pct(p.name)}=${pct(value)}`));
          if (value.startsWith('%')) requests.push(base(`${withIds}?${pct(p.name)}=${value}`));
        }
      }
      if (op.body) for (const body of NASTY_BODIES) requests.push(base(withIds, body));
      // Every forged or malformed token on every operation, including validly signed ones with
      // claims of the wrong type: they must stop at 401, never reach a query.
      for (const token of [...creds.forged, '', 'x y', 'a'.repeat(12_000)]) {
        requests.push({ method: op.method, path: withIds, headers: { authorization: `Bearer ${token}` } });
      }
      await mapLimit(requests, 4, async (req) => {
        await expectContract(req);
      });
    }, 120_000);
  });

  describe('the faults this suite was written for stay fixed', () => {
    const get = (path: string, token = creds.user) => expectContract({ method: 'GET', path, headers: as(token) });
    const paginated = spec.operations.filter((op) => op.method === 'GET' && op.parameters.some((p) => p.name === 'cursor'));

    it('deeply nested JSON is 400 NESTING_TOO_DEEP, on every route that takes a body', async () => {
      for (const op of spec.operations.filter((o) => o.body?.['application/json'])) {
        const answer = await expectContract({
          method: op.method,
          path: op.path.replace(/\{[^}]+\}/g, 'x'),
          headers: { ...as(creds.admin), 'content-type': 'application/json' },
          body: Buffer.from(`{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}`),
        });
        if (answer.status !== 401 && answer.status !== 403) expect([op.id, JSON.parse(answer.text).code]).toEqual([op.id, 'NESTING_TOO_DEEP']);
      }
    });

    it('a NUL in a username, a filter or a path id is a 4xx', async () => {
      const token = await expectContract({
        method: 'POST',
        path: '/api/v1/auth/token',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from('{"username":"ad\\u0000min","password":"admin-password-1"}'),
      });
      expect(token.status).toBe(422);
      const jobId = creds.ids.get('/api/v1/jobs')![0];
      for (const filter of ['service=%00', 'q=%00', 'q=a%00b']) expect((await get(`/api/v1/jobs/${jobId}/entries?${filter}`)).status).toBe(422);
      expect((await get('/api/v1/ecgs/%00')).status).toBe(404);
    });

    it('dates that pass an ISO-8601 shape check but JavaScript cannot read are 422; documented forms are read', async () => {
      const jobId = creds.ids.get('/api/v1/jobs')![0];
      for (const bad of ['2024-W01-1', '2024-123', '20240501', '2024-05-01T12:00:00', '2024-02-30', '2024-05-01T24:00:00Z']) {
        expect([bad, (await get(`/api/v1/jobs/${jobId}/entries?from=${encodeURIComponent(bad)}`)).status]).toEqual([bad, 422]);
      }
      for (const good of ['2024-05-01T12:00:00Z', '2024-05-01T14:00:00.5+02:00', '2024-05-01T12:00:00,5Z', '2024-05-01']) {
        const answer = await get(`/api/v1/jobs/${jobId}/entries?from=${encodeURIComponent(good)}&to=2100-01-01T00:00:00Z`);
        expect([good, answer.status]).toEqual([good, 200]);
      }
      expect(JSON.parse((await get(`/api/v1/jobs/${jobId}/entries?from=2024-05-01T12:00:00Z`)).text).items).toHaveLength(1);
    });

    it('a forged cursor is 422 INVALID_CURSOR on every paginated route and on GraphQL', async () => {
      const forged = [b64url({ line: 'x' }), b64url({ line: 1e300 }), b64url({ created_at: 'x', id: 'y' }), b64url({ k: 'not-a-uuid' }), b64url([1])];
      expect(paginated.length).toBeGreaterThan(0);
      for (const op of paginated) {
        const path = op.path.replace(/\{[^}]+\}/g, creds.ids.get(op.path.split('/{')[0])?.[0] ?? 'x');
        for (const cursor of forged) {
          let answer = await get(`${path}?cursor=${cursor}`);
          if (answer.status === 403) answer = await get(`${path}?cursor=${cursor}`, creds.admin); // admins' lists
          if (answer.status === 404) continue; // no such parent resource: the cursor is never read
          expect([op.id, answer.status, JSON.parse(answer.text).code]).toEqual([op.id, 422, 'INVALID_CURSOR']);
        }
      }
      const res = await t.http().post('/graphql').set(as(creds.user)).send({ query: `{ jobs(cursor: "${forged[2]}") { next_cursor } }` });
      expect(res.body.errors[0].extensions).toEqual({ code: 'INVALID_CURSOR' });
    });

    it('GraphQL errors carry a stable code and never a stack trace', async () => {
      for (const query of ['{', '{ nope }', '{ jobs(limit: 99999999999) { next_cursor } }', `{ job(id: "x") ${'{ job_id '.repeat(3000)}${'}'.repeat(3000)} }`,
        `{ job(id: "x") ${'{ job_id '.repeat(500)}${'}'.repeat(500)} }`, '{ job(id: "\\u0000") { job_id } }']) {
        const res = await t.http().post('/graphql').set(as(creds.user)).send({ query });
        expect(res.status).toBeLessThan(500);
        expect(findLeak(res.text)).toBeUndefined();
        expect(res.text).not.toMatch(/stacktrace/);
        for (const error of res.body.errors ?? []) expect(error.extensions.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      }
    });

    it('a header block over the limit is 431 problem+json, malformed requests 400 problem+json', async () => {
      const big = await sendRaw(port, `GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(40_000)}\r\n\r\n`);
      expect(big.status).toBe(431);
      expect(contractViolation(big)).toBeUndefined();
      for (const raw of ['GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n', 'GARBAGE\r\n\r\n', 'GET / HTTP/1.1\r\nBad Header\r\n\r\n']) {
        const answer = await sendRaw(port, raw);
        expect(answer.status).toBe(400);
        expect(contractViolation(answer)).toBeUndefined();
      }
    });

    it('reads level in any case, refuses prototype keys, refuses an ECG id of dots', async () => {
      const jobId = creds.ids.get('/api/v1/jobs')![0];
      expect((await get(`/api/v1/jobs/${jobId}/entries?level=Info`)).status).toBe(200);
      expect((await get(`/api/v1/jobs/${jobId}/entries?level=wArN`)).status).toBe(200);
      for (const key of ['__proto__', 'constructor', 'prototype']) expect((await get(`/api/v1/jobs?${key}=x`)).status).toBe(422);
      const post = (body: unknown) =>
        expectContract({ method: 'POST', path: '/api/v1/ecgs', headers: { ...as(creds.user), 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) });
      const ecg = { date: '2024-05-01T00:00:00Z', leads: [{ name: 'I', signal: [1] }] };
      expect((await post({ ...ecg, constructor: 'x' })).status).toBe(422);
      for (const id of ['.', '..', '...']) expect((await post({ ...ecg, id })).status).toBe(422);
      expect((await post({ ...ecg, id: '.hidden.' })).status).toBe(202);
    });

    it('a validly signed token of a user that does not exist is 401 where it would create a row', async () => {
      const ghost = creds.forged.find((token) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}').username === 'ghost')!;
      const res = await t.http().post('/api/v1/files/upload').set(as(ghost)).attach('file', Buffer.from('{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"m"}\n'), 'g.jsonl');
      expect(res.status).toBe(401);
      const ecg = await t.http().post('/api/v1/ecgs').set(as(ghost)).send({ date: '2024-05-01T00:00:00Z', leads: [{ name: 'I', signal: [1] }] });
      expect(ecg.status).toBe(401);
    });

    it('stores UTF-8 file names as sent, and a NUL in a file name as U+FFFD', async () => {
      const upload = (disposition: string) =>
        expectContract({
          method: 'POST',
          path: '/api/v1/files/upload',
          headers: { ...as(creds.user), 'content-type': 'multipart/form-data; boundary=b0und' },
          body: Buffer.from(`--b0und\r\nContent-Disposition: form-data; name="file"; ${disposition}\r\n\r\n{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"m"}\r\n--b0und--\r\n`, 'utf8'),
        });
      const raw = await upload('filename="naïve-日本.jsonl"');
      expect(JSON.parse(raw.text).file_name).toBe('naïve-日本.jsonl');
      const star = await upload(`filename*=UTF-8''${encodeURIComponent('naïve-日本.jsonl')}`);
      expect(JSON.parse(star.text).file_name).toBe('naïve-日本.jsonl');
      const nul = await upload("filename*=UTF-8''a%00b.jsonl");
      expect(nul.status).toBe(202);
      expect(JSON.parse(nul.text).file_name).toBe('a\ufffdb.jsonl');
    });
  });

  it('one bad log line never fails a job, and no job field or reason leaks internals', async () => {
    const lines = [
      '{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"good"}',
      `{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"deep","a":${'['.repeat(40_000)}${']'.repeat(40_000)}}`,
      '{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"nul \\u0000"}',
      '{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"m","service":"s\\u0000"}',
      '{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"m","k":{"x\\u0000":1}}',
      '{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"lone \\ud800 surrogate","s":"\\udc00"}',
      '{"timestamp":"2024-W01-1","level":"INFO","message":"week"}',
      '{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"big","n":1e400,"m":-1e400}',
      '{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"proto","__proto__":{"x":1},"constructor":1}',
      '{"timestamp":"2024-05-01T12:00:00Z","level":"Info","message":"good again"}',
    ];
    const res = await t.http().post('/api/v1/files/upload').set(as(creds.user)).attach('file', Buffer.from(lines.join('\n')), 'hostile.jsonl').expect(202);
    const job = await waitForJob(res.body.job_id);
    expect(job).toMatchObject({ status: 'completed', error: null, entries_ingested: 5, lines_rejected: 5 });
    const rejections = await t.http().get(`/api/v1/jobs/${res.body.job_id}/rejections`).set(as(creds.user)).expect(200);
    expect(rejections.body.items.map((r: { line: number }) => r.line)).toEqual([2, 3, 4, 5, 7]);
    for (const text of [JSON.stringify(job), rejections.text]) expect(findLeak(text)).toBeUndefined();
    expect(rejections.text).not.toMatch(/database refused|PostgreSQL|jsonb/);
  });

  it('an upload the client abandons mid-body leaves no temp file and no open descriptor', async () => {
    const dataDir = t.config.dataDir;
    const openUnderData = async () => {
      const fds = await readdir('/proc/self/fd').catch(() => [] as string[]);
      const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
      return targets.filter((target) => target.startsWith(dataDir) && !target.includes(`${sep}pg${sep}`));
    };
    const partials = async () => readdir(join(dataDir, 'objects', '.tmp')).catch(() => [] as string[]);
    const before = (await t.http().get('/api/v1/jobs?limit=500').set(as(creds.user))).body.items.length;

    for (let i = 0; i < 3; i += 1) {
      const head = `--b\r\nContent-Disposition: form-data; name="file"; filename="cut.jsonl"\r\n\r\n`;
      const socket = connect(port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST /api/v1/files/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${creds.user}\r\n` +
          `Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 10000000\r\n\r\n${head}`,
      );
      socket.write('{"timestamp":"2024-05-01T12:00:00Z","level":"INFO","message":"partial"}\n'.repeat(2000));
      // The partial object exists (or is about to): then the client disappears.
      const deadline = Date.now() + 10_000;
      while ((await partials()).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      socket.destroy();
    }

    const deadline = Date.now() + 10_000;
    while (((await partials()).length > 0 || (await openUnderData()).length > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await partials()).toEqual([]);
    expect(await openUnderData()).toEqual([]);
    expect((await t.http().get('/api/v1/jobs?limit=500').set(as(creds.user))).body.items).toHaveLength(before);
  });

  it('the server is still ready afterwards', async () => {
    const ready = await t.http().get('/health/ready');
    expect(ready.status).toBe(200);
  });
});
