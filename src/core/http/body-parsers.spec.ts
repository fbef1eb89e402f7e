import { createServer, type Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import { bodyParsers } from './body-parsers';

const BUDGET = 250_000;
const IN_BUDGET = 2;

describe('bodyParsers', () => {
  let server: Server;
  let inHandler = 0;
  let maxInHandler = 0;
  const release: (() => void)[] = [];

  beforeAll(() => {
    const app = express();
    // A 250 kB budget: two of the 100 kB bodies below fit at once, a third waits.
    for (const parser of bodyParsers([{ prefix: '/bulk', limit: '2mb' }], BUDGET)) app.use(parser);
    app.post('/bulk', (_req, res) => {
      inHandler += 1;
      maxInHandler = Math.max(maxInHandler, inHandler);
      release.push(() => {
        inHandler -= 1;
        res.json({ ok: true });
      });
    });
    app.post('/small', (req, res) => res.json(req.body));
    server = createServer(app);
  });

  it('refuses a bulk body without a bearer token before reading it', async () => {
    const res = await request(server).post('/bulk').send({ a: 1 });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('UNAUTHORIZED');
  });

  it('answers 400 NESTING_TOO_DEEP for a body nested past the limit', async () => {
    const res = await request(server).post('/small').type('json').send(`{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('NESTING_TOO_DEEP');
  });

  it('has at most a byte budget of bulk bodies past the parser at once', async () => {
    const auth = { authorization: 'Bearer a.b.c' };
    const pending = Array.from({ length: 5 }, () => request(server).post('/bulk').set(auth).send({ x: 'y'.repeat(100_000) }).then((r) => r.status));
    const deadline = Date.now() + 5_000;
    let answered = 0;
    const statuses: number[] = [];
    pending.forEach((p) => void p.then((s) => statuses.push(s)));
    while (answered < 5 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(inHandler).toBeLessThanOrEqual(IN_BUDGET);
      const next = release.shift();
      if (next) {
        next();
        answered += 1;
      }
    }
    await Promise.all(pending);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(maxInHandler).toBe(IN_BUDGET);
  });

  it('lets small bulk bodies through together (they do not queue behind each other)', async () => {
    maxInHandler = 0;
    const auth = { authorization: 'Bearer a.b.c' };
    const pending = Array.from({ length: 5 }, () => request(server).post('/bulk').set(auth).send({ x: 'y'.repeat(20_000) }).then((r) => r.status));
    const deadline = Date.now() + 5_000;
    while (inHandler < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(inHandler).toBe(5);
    while (release.length > 0) release.shift()!();
    expect(await Promise.all(pending)).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('bodyParsers with a parseJson hook', () => {
  const app = express();
  const pushed: number[] = [];
  const parse = (body: Buffer) => (body.toString().includes('fast') ? { fast: new Float64Array([1, 2]) } : undefined);
  const parseJson = (declared: number | undefined) => ({ push: (chunk: Buffer) => pushed.push(declared === undefined ? -1 : chunk.length), parse });
  for (const parser of bodyParsers([{ prefix: '/fast', limit: '1mb', parseJson }])) app.use(parser);
  app.post('/fast/csv', (req, res) => res.json({ text: req.body }));
  app.post('/fast', (req, res) => res.json({ fast: req.body.fast instanceof Float64Array, body: req.body.fast ? null : req.body }));
  const server = createServer(app);
  const auth = { authorization: 'Bearer a.b.c' };

  it('takes what the hook answers, and parses the standard way when it answers undefined', async () => {
    expect((await request(server).post('/fast').set(auth).type('json').send('{"fast":1}')).body).toEqual({ fast: true, body: null });
    expect((await request(server).post('/fast').set(auth).type('json').send('\ufeff {"slow":[1]}')).body).toEqual({ fast: false, body: { slow: [1] } });
    expect((await request(server).post('/fast').set(auth).type('json').send('')).body).toEqual({ fast: false, body: {} });
    expect(pushed.reduce((a, b) => a + b, 0)).toBe('{"fast":1}'.length + '\ufeff {"slow":[1]}'.length + 2);
  });

  it('leaves other media types to their parsers', async () => {
    pushed.length = 0;
    expect((await request(server).post('/fast/csv').set(auth).type('text/plain').send('a,b')).status).toBe(200);
    expect(pushed).toEqual([]);
  });

  it('answers the standard problems for malformed JSON, a non-object, and an unsupported charset', async () => {
    for (const text of ['{"a":', '"quick"', 'true']) {
      const res = await request(server).post('/fast').set(auth).type('json').send(text);
      expect([res.status, res.body.code]).toEqual([400, 'MALFORMED_JSON']);
    }
    const latin = await request(server).post('/fast').set(auth).set('content-type', 'application/json; charset=latin1').send('{"a":1}');
    expect([latin.status, latin.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });
});
