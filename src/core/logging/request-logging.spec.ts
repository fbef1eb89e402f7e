import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { storage } from 'nestjs-pino/storage';
import { httpLogger, RequestLoggingMiddleware } from './request-logging';

interface Line {
  level: number;
  msg: string;
  req?: { method: string; url: string };
  res?: { status: number };
  responseTime?: number;
  err?: { message: string };
}

/** A server whose only middleware is RequestLoggingMiddleware, then `handler`; the lines it logs. */
async function serve(level: string, handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Line);
      done();
    },
  });
  const middleware = new RequestLoggingMiddleware({ pinoHttp: { logger: httpLogger(level, stream) } });
  const server: Server = createServer((req, res) => middleware.use(req, res, () => handler(req, res)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
  return { lines, base, settle, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('RequestLoggingMiddleware', () => {
  it("writes pino-http's access line (req method and url, redacted token, res status, responseTime)", async () => {
    const app = await serve('info', (_req, res) => res.end('{}'));
    try {
      const res = await fetch(`${app.base}/api/v1/users/me?access_token=secret&x=1`);
      await res.text();
      await app.settle();
      expect(app.lines).toHaveLength(1);
      expect(app.lines[0]).toMatchObject({
        level: 30,
        msg: 'request completed',
        req: { method: 'GET', url: '/api/v1/users/me?access_token=[redacted]&x=1' },
        res: { status: 200 },
      });
      expect(typeof app.lines[0].responseTime).toBe('number');
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await app.close();
    }
  });

  it('logs a 5xx as "request errored", and nothing for health probes and metric scrapes', async () => {
    const app = await serve('info', (_req, res) => {
      res.statusCode = res.req.url === '/boom' ? 503 : 200;
      res.end();
    });
    try {
      for (const path of ['/boom', '/health/ready', '/metrics']) await (await fetch(app.base + path)).text();
      await app.settle();
      expect(app.lines).toEqual([
        expect.objectContaining({ msg: 'request errored', res: { status: 503 }, err: expect.objectContaining({ message: 'failed with status code 503' }) }),
      ]);
    } finally {
      await app.close();
    }
  });

  it('binds lines written during the request to it (the child logger is made on first use)', async () => {
    const app = await serve('warn', (_req, res) => {
      setImmediate(() => {
        storage.getStore()!.logger.warn('inside');
        res.end();
      });
    });
    try {
      await (await fetch(`${app.base}/api/v1/things`)).text();
      await app.settle();
      // warn level: no access line, but the request's own line carries its req binding.
      expect(app.lines).toEqual([expect.objectContaining({ level: 40, msg: 'inside', req: { method: 'GET', url: '/api/v1/things' } })]);
    } finally {
      await app.close();
    }
  });
});
