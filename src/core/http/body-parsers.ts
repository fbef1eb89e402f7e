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
 * Bulk bodies (over the default limit) read and parsed at once per process. A 16 MB JSON body
 * costs ~10x its size in heap while parsed and validated, and V8 keeps the high-water mark long
 * after: eight concurrent ones took resident memory from 216 to 590 MiB for good. Further bulk
 * requests wait their turn unread (TCP holds their bytes), so memory is bounded by this number.
 */
export const BULK_BODIES_IN_FLIGHT = 2;

/** A counting semaphore: `acquire` resolves when a slot is free; `release` hands it on in order. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

// Only the shape: the guard verifies the token later. Anonymous and garbage-token callers are
// refused before a bulk body is read at all, so they cannot make the process parse 16 MB.
const BEARER_SHAPE = /^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/i;

/**
 * JSON and form parsers whose failures answer problem+json (they run before Nest's filters
 * can see them). Most routes keep a small limit; routes that take bulk data name their own.
 */
export function bodyParsers(limits: BodyLimit[]): RequestHandler[] {
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

  const bulkSlots = new Slots(BULK_BODIES_IN_FLIGHT);
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
    void bulkSlots.acquire().then(() => {
      // The client went away while it waited: its 'close' has fired already.
      if (res.closed || req.destroyed) return bulkSlots.release();
      // Held until the answer is sent: the parsed body lives through validation and the handler.
      res.once('close', () => bulkSlots.release());
      parseBody(req, res, next);
    });
  };
  // GETs and DELETEs have no body: skip the parsers' content-type parsing and closures entirely.
  const withBody =
    (parser: RequestHandler): RequestHandler =>
    (req, res, next) => {
      // type-is's hasBody, as body-parser decides it
      if (req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length']))) return parser(req, res, next);
      if (!('body' in req)) (req as { body?: unknown }).body = undefined; // as body-parser leaves it
      next();
    };
  return [withBody(bulkBody), withBody(guard(() => form))];
}
