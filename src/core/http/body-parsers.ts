import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { json, raw, text, urlencoded } from 'express';
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
  /**
   * A faster parse of this prefix's JSON bodies (utf-8 or no charset only), e.g. numbers straight
   * into a Float64Array: one reader per request, given the declared Content-Length. `push` sees the
   * body's chunks as they arrive (uncompressed bodies only), so parsing can overlap receiving;
   * `parse` gets the whole body, and answering undefined hands it to the standard parse, so
   * malformed bodies get the usual problem+json.
   */
  parseJson?: (declaredLength: number | undefined) => JsonBodyReader;
}

export interface JsonBodyReader {
  push(chunk: Buffer): void;
  parse(body: Buffer): unknown;
}

const DEFAULT_JSON_LIMIT = '1mb';
const JSON_TYPES = ['application/json', 'application/*+json'];

/** What body-parser's strict JSON parse does with utf-8 bytes, with its error type (see toProblem). */
function standardJson(body: Buffer): unknown {
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {};
  const first = /^[ \t\n\r]*(.)/s.exec(text)?.[1];
  try {
    if (first !== '{' && first !== '[') throw new SyntaxError(`Unexpected token ${first} in JSON`);
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw Object.assign(new SyntaxError((error as Error).message), { status: 400, statusCode: 400, expose: true, type: 'entity.parse.failed' });
  }
}

/** A JSON parser for one limit that reads the bytes and parses them with a reader (see BodyLimit.parseJson). */
function fastJson(limit: string, reader: (declaredLength: number | undefined) => JsonBodyReader, standard: RequestHandler): RequestHandler {
  const bytes = raw({ limit, type: JSON_TYPES });
  return (req, res, next) => {
    const charset = /;\s*charset\s*=\s*"?([^";]*)/i.exec(req.headers['content-type'] ?? '')?.[1].toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return standard(req, res, next);
    const declared = Number(req.headers['content-length']);
    // Only a JSON body raw() reads (a 'data' listener sets the stream flowing), and only as sent.
    const early = Boolean(req.is(JSON_TYPES)) && (req.headers['content-encoding'] ?? 'identity').toLowerCase() === 'identity' && Number.isSafeInteger(declared);
    const parser = reader(early ? declared : undefined);
    const onData = (chunk: Buffer) => parser.push(chunk);
    if (early) req.on('data', onData);
    bytes(req, res, (error?: unknown) => {
      req.off('data', onData);
      if (error || !Buffer.isBuffer(req.body)) return next(error);
      try {
        const body = req.body;
        req.body = parser.parse(body) ?? standardJson(body);
      } catch (parseError) {
        return next(parseError);
      }
      next();
    });
  };
}

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
      parser = json({ limit, strict: true, type: JSON_TYPES });
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
  const fast = new Map(sorted.filter((l) => l.parseJson).map((l) => [l, fastJson(l.limit, l.parseJson!, jsonFor(l.limit))]));
  const parseJson = guard((req) => {
    const match = sorted.find((l) => req.path.startsWith(l.prefix));
    return (match && fast.get(match)) ?? jsonFor(match?.limit ?? DEFAULT_JSON_LIMIT);
  });
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
  return [bulkBody, guard(() => form)];
}
