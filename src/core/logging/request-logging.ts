import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import { PARAMS_PROVIDER_TOKEN, type Params } from 'nestjs-pino';
import { storage, type Store } from 'nestjs-pino/storage';
import type { DestinationStream, Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { requestIdFor } from '../http/request-id';

/**
 * The app's logger: pino-http's (its wrapped serializers and redaction), with the access line's
 * `req` reduced to method and URL (an access_token in the query redacted) and `res` to its status.
 */
export function httpLogger(level: string, stream?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.query.access_token'], censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url.replace(/access_token=[^&]+/, 'access_token=[redacted]') }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
  };
  return (stream ? pinoHttp(options, stream) : pinoHttp(options)).logger;
}

/** Health probes and metric scrapes are polled all day: no access line for them (as before). */
const NOT_ACCESS_LOGGED = /^\/(health|metrics)/;

const CONTEXT = Symbol('requestLogContext');

type LoggedRequest = IncomingMessage & { id?: unknown; originalUrl?: string };
type LoggedResponse = ServerResponse & { [CONTEXT]?: RequestLogContext; err?: unknown };

/**
 * The request's logging context, what nestjs-pino's `PinoLogger` reads from its AsyncLocalStorage.
 * The child logger (bound to the serialised `req`, as pino-http bound it) is made on first use:
 * most requests never log at or above the configured level, and pino serialises a child's
 * bindings eagerly, so pino-http's child was a cost of every request.
 */
class RequestLogContext implements Store {
  private child?: Logger;
  responseLogger = undefined;

  constructor(
    readonly root: Logger,
    readonly req: LoggedRequest,
    readonly startedAt: number,
  ) {}

  get logger(): Logger {
    return (this.child ??= this.root.child({ req: this.req }));
  }

  /** `PinoLogger.assign` replaces the logger with a child of it. */
  set logger(logger: Logger) {
    this.child = logger;
  }
}

/**
 * pino-http's behaviour for this app (same logger, serializers, redaction, messages and level;
 * nestjs-pino's own middleware is not mounted, see LoggingModule) without its per-request cost:
 * the request id is the one the first middleware set; the access line (`request completed` /
 * `request aborted` / `request errored`, with `req`, `res` and `responseTime`) is written on the
 * response's first `finish`, `close` or `error`, as pino-http did, and its listeners are only
 * attached when that line's level (info) is enabled; listeners are shared functions, not
 * per-request closures. Lines written during the request through Nest's Logger carry the
 * request's bindings (nestjs-pino's AsyncLocalStorage, as before).
 */
@Injectable()
export class RequestLoggingMiddleware implements NestMiddleware {
  private readonly root: Logger;
  private readonly accessLogged: boolean;

  constructor(@Inject(PARAMS_PROVIDER_TOKEN) params: Params) {
    this.root = (params.pinoHttp as { logger: Logger }).logger;
    this.accessLogged = this.root.isLevelEnabled('info'); // LOG_LEVEL is fixed at start-up
  }

  use(req: LoggedRequest, res: LoggedResponse, next: () => void): void {
    requestIdFor(req, res); // normally already set by the first middleware of all
    const context = new RequestLogContext(this.root, req, Date.now());
    res[CONTEXT] = context;
    // pino-http listened for 'error' on every response (an unheard 'error' event would throw).
    res.on('error', onResponseDone);
    // originalUrl: Nest mounts this under a path, so Express has trimmed req.url.
    if (this.accessLogged && !NOT_ACCESS_LOGGED.test(req.originalUrl ?? req.url!)) {
      res.on('finish', onResponseDone);
      res.on('close', onResponseDone);
    }
    storage.run(context, next);
  }
}

function onResponseDone(this: LoggedResponse, error?: unknown): void {
  this.removeListener('finish', onResponseDone);
  this.removeListener('close', onResponseDone);
  this.removeListener('error', onResponseDone);
  const context = this[CONTEXT]!;
  if (!context.root.isLevelEnabled('info')) return;
  const responseTime = Date.now() - context.startedAt;
  const log = context.logger;
  if (error || this.err || this.statusCode >= 500) {
    const err = error ?? this.err ?? new Error(`failed with status code ${this.statusCode}`);
    log.info({ res: this, err, responseTime }, 'request errored');
    return;
  }
  const req = context.req;
  log.info({ res: this, responseTime }, !req.readableAborted && this.writableEnded ? 'request completed' : 'request aborted');
}
