import type { IncomingMessage, ServerResponse } from 'node:http';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** What a header-only middleware does to every response: headers set, headers removed. */
export interface StaticHeaders {
  set: [string, string | string[]][];
  remove: string[];
}

/**
 * Runs a middleware that only sets fixed response headers (helmet with static options) once,
 * against a recording response, so each request can replay the result from an array instead of
 * running a dozen closures. Throws when the middleware does anything else (reads the request,
 * answers, fails), so a future option that depends on the request is not silently frozen.
 */
export function recordStaticHeaders(middleware: Middleware): StaticHeaders {
  const set = new Map<string, string | string[]>();
  const remove: string[] = [];
  const forbidden = (what: string) => () => {
    throw new Error(`recordStaticHeaders: the middleware called ${what}; it is not header-only`);
  };
  const res = {
    setHeader: (name: string, value: string | number | string[]) => set.set(name, typeof value === 'number' ? String(value) : value),
    removeHeader: (name: string) => {
      set.delete(name);
      remove.push(name);
    },
    getHeader: () => undefined,
    hasHeader: () => false,
    end: forbidden('end'),
    write: forbidden('write'),
    writeHead: forbidden('writeHead'),
  } as unknown as ServerResponse;
  const req = new Proxy({} as IncomingMessage, { get: (_t, key) => forbidden(`req.${String(key)}`)() });
  let done = false;
  middleware(req, res, (error?: unknown) => {
    if (error) throw error;
    done = true;
  });
  if (!done) throw new Error('recordStaticHeaders: the middleware did not call next() synchronously');
  return { set: [...set], remove };
}

/** Applies recorded headers to a response (same effect as running the middleware). */
export function applyStaticHeaders(res: ServerResponse, headers: StaticHeaders): void {
  for (let i = 0; i < headers.remove.length; i++) res.removeHeader(headers.remove[i]);
  for (let i = 0; i < headers.set.length; i++) res.setHeader(headers.set[i][0], headers.set[i][1]);
}
