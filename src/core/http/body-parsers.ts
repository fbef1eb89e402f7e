import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { json, urlencoded } from 'express';
import { inspectJson } from '../input/json-inspection';
import { problem, sendProblem, toProblem } from './problem';
import { nestingTooDeep } from './validation';

export interface BodyLimit {
  /** Path prefix, e.g. `/api/v1/ecgs`. */
  prefix: string;
  /** A size body-parser understands: `16mb`. */
  limit: string;
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

  const guard =
    (pick: (req: Request) => RequestHandler): RequestHandler =>
    (req: Request, res: Response, next: NextFunction) =>
      pick(req)(req, res, (error?: unknown) => {
        // JSON.parse is iterative and survives any nesting; what comes after it (the validation
        // pipe, GraphQL, class-transformer) is recursive, so depth is bounded here for every route.
        const deep = !error && inspectJson(req.body, { checkText: false });
        if (!error && !deep) return next();
        const known = deep
          ? toProblem(nestingTooDeep(deep.kind === 'too_deep' ? deep.maxDepth : undefined))!
          : (toProblem(error) ?? problem(400, 'BAD_REQUEST', 'The request body could not be read.'));
        sendProblem(res, { ...known, request_id: String(req.id ?? '') });
      });

  return [
    guard((req) => jsonFor(sorted.find((l) => req.path.startsWith(l.prefix))?.limit ?? DEFAULT_JSON_LIMIT)),
    guard(() => form),
  ];
}
