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

  const bulkBudget = new ByteBudget(bulkBytesInFlight);
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
