import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { json, text, urlencoded } from 'express';
import { problem, sendProblem, toProblem } from './problem';

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
        if (!error) return next();
        const known = toProblem(error) ?? problem(400, 'BAD_REQUEST', 'The request body could not be read.');
        sendProblem(res, { ...known, request_id: String(req.id ?? '') });
      });

  return [
    guard((req) => jsonFor(sorted.find((l) => req.path.startsWith(l.prefix))?.limit ?? DEFAULT_JSON_LIMIT)),
    guard(() => form),
    guard((req) => {
      const match = sorted.find((l) => req.path.startsWith(l.prefix));
      return (match && texts.get(match)) ?? passThrough;
    }),
  ];
}
