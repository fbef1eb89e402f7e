import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { json, text, urlencoded } from 'express';
import { exceedsDepth } from '../input/json-inspection';
import { problem, sendProblem, toProblem } from './problem';
import { nestingTooDeep } from './validation';

export interface BodyLimit {
  /** Path prefix, e.g. `/api/v1/ecgs`. */
  prefix: string;
  /** A size body-parser understands: `16mb`. */
  limit: string;
  /** Text media types this prefix also takes (read as a string under the same limit), e.g. `text/csv`. */
  textTypes?: string[];
}

const DEFAULT_JSON_LIMIT = '1mb';

/**
 * Bytes of bulk bodies (over the default limit) read, parsed and handled at once per process,
 * counted by their Content-Length (a body without one, or compressed, counts as the whole budget). A 16 MB JSON
 * body costs ~10x its size in heap while parsed and validated, and V8 keeps the high-water mark
 * long after: eight concurrent ones took resident memory from 216 to 590 MiB for good. Further
 * bulk requests wait their turn unread (TCP holds their bytes). The budget is two full-size ECG
 * bodies, the bound two slots gave before, while 0.2 MB ECGs no longer queue behind each other
 * (two slots serialised POSTs: p50 178 ms at 8 in flight).
 */
export const BULK_BYTES_IN_FLIGHT = 32 * 1024 * 1024;

/** A byte budget: `acquire(n)` resolves, in arrival order, once `n` bytes fit; `release(n)` returns them. */
class ByteBudget {
  private used = 0;
  private readonly waiting: { bytes: number; grant: () => void }[] = [];

  constructor(private readonly size: number) {}

  acquire(bytes: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(bytes)) {
      this.used += bytes;
      return Promise.resolve();
    }
    return new Promise((grant) => this.waiting.push({ bytes, grant }));
  }

  release(bytes: number): void {
    this.used -= bytes;
    while (this.waiting.length > 0 && this.fits(this.waiting[0].bytes)) {
      const next = this.waiting.shift()!;
      this.used += next.bytes;
      next.grant();
    }
  }

  // A request larger than the whole budget still runs, alone.
  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.size;
  }
}

// Only the shape: the guard verifies the token later. Anonymous and garbage-token callers are
// refused before a bulk body is read at all, so they cannot make the process parse 16 MB.
const BEARER_SHAPE = /^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/i;

/**
 * JSON and form parsers whose failures answer problem+json (they run before Nest's filters
 * can see them). Most routes keep a small limit; routes that take bulk data name their own.
 */
export function bodyParsers(limits: BodyLimit[], bulkBytesInFlight = BULK_BYTES_IN_FLIGHT): RequestHandler[] {
  const sorted = [...limits].sort((a, b) => b.prefix.length - a.prefix.length);
  const parsers = new Map<string, RequestHandler>();
  const jsonFor = (limit: string) => {
    let parser = parsers.get(limit);
    if (!parser) {
      parser = json({ limit, strict: true, type: ['application/json', 'application/*+json'] });
      parsers.set(limit, parser);
    }
    return parser;
  };
  const form = urlencoded({ extended: false, limit: '16kb' });
  const texts = new Map(sorted.filter((l) => l.textTypes?.length).map((l) => [l, text({ limit: l.limit, type: l.textTypes })]));
  const passThrough: RequestHandler = (_req, _res, next) => next();

  const guard =
    (pick: (req: Request) => RequestHandler): RequestHandler =>
    (req: Request, res: Response, next: NextFunction) =>
      pick(req)(req, res, (error?: unknown) => {
        // JSON.parse is iterative and survives any nesting; what comes after it (the validation
        // pipe, GraphQL, class-transformer) is recursive, so depth is bounded here for every route.
        // Allocation-free: a 1,000,000-point series body is a million small objects.
        const deep = !error && exceedsDepth(req.body);
        if (!error && !deep) return next();
        const known = deep
          ? toProblem(nestingTooDeep())!
          : (toProblem(error) ?? problem(400, 'BAD_REQUEST', 'The request body could not be read.'));
        sendProblem(res, { ...known, request_id: String(req.id ?? '') });
      });

  const bulkBudget = new ByteBudget(bulkBytesInFlight);
  const parseJson = guard((req) => jsonFor(sorted.find((l) => req.path.startsWith(l.prefix))?.limit ?? DEFAULT_JSON_LIMIT));
  const parseText = guard((req) => {
    const match = sorted.find((l) => req.path.startsWith(l.prefix));
    return (match && texts.get(match)) ?? passThrough;
  });
  const parseBody: RequestHandler = (req, res, next) => parseJson(req, res, () => parseText(req, res, next));
  const bulkBody: RequestHandler = (req, res, next) => {
    const match = sorted.find((l) => req.path.startsWith(l.prefix));
    const bulk = match !== undefined && Boolean(req.is(['application/json', 'application/*+json', ...(match.textTypes ?? [])]));
    if (!bulk) return parseBody(req, res, next);
    if (!BEARER_SHAPE.test(req.headers.authorization ?? '')) {
      req.resume();
      return sendProblem(res, {
        ...problem(401, 'UNAUTHORIZED', 'Send a bearer token (Authorization: Bearer <jwt>) to use this route.'),
        request_id: String(req.id ?? ''),
      });
    }
    // A compressed body inflates past its Content-Length: it counts as the whole budget.
    const encoded = (req.headers['content-encoding'] ?? 'identity').toLowerCase() !== 'identity';
    const declared = Number(req.headers['content-length']);
    const bytes = !encoded && Number.isSafeInteger(declared) && declared >= 0 && declared < bulkBytesInFlight ? declared : bulkBytesInFlight;
    void bulkBudget.acquire(bytes).then(() => {
      // The client went away while it waited: its 'close' has fired already.
      if (res.closed || req.destroyed) return bulkBudget.release(bytes);
      // Held until the answer is sent: the parsed body lives through validation and the handler.
      res.once('close', () => bulkBudget.release(bytes));
      parseBody(req, res, next);
    });
  };
  return [bulkBody, guard(() => form)];
}
