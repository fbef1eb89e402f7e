import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import { NO_ORIGIN_CORS } from './configure-http';

/** The headers `cors` sets on a response, in order, with their names as given. */
function corsHeaders(origin: boolean | string[], req: Partial<IncomingMessage>): [string, unknown][] {
  const set: [string, unknown][] = [];
  const headers = new Map<string, unknown>();
  const res = {
    getHeader: (name: string) => headers.get(name.toLowerCase()),
    setHeader: (name: string, value: unknown) => (headers.set(name.toLowerCase(), value), set.push([name, value])),
  } as unknown as ServerResponse;
  let nexted = false;
  cors({ origin, exposedHeaders: ['x-request-id'], credentials: false })(req as IncomingMessage, res, () => (nexted = true));
  expect(nexted).toBe(true);
  return set;
}

describe('NO_ORIGIN_CORS', () => {
  it.each([[true], [['https://app.example']], [[] as string[]]])('is what cors sets on a request without Origin (origin %j)', (origin) => {
    for (const method of ['GET', 'HEAD', 'POST', 'DELETE']) {
      expect(corsHeaders(origin, { method, headers: {} })).toEqual(NO_ORIGIN_CORS.set);
    }
  });
});
