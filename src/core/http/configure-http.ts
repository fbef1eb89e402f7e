import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import cors from 'cors';
import helmet from 'helmet';
import { AppConfig } from '../config/app-config';
import { RealtimeIoAdapter } from '../realtime/realtime-io.adapter';
import { featureBodyLimits } from './body-limits';
import { bodyParsers } from './body-parsers';
import { answerClientErrors } from './client-errors';
import { CSP_DIRECTIVES } from './content-security-policy';
import { buildOpenApiDocument } from './openapi';
import { requestIdFor } from './request-id';
import { applyStaticHeaders, recordStaticHeaders, type StaticHeaders } from './static-headers';
import { createValidationPipe } from './validation';

/** Everything the HTTP edge needs before it listens; shared by the entry points and the e2e tests. */
export function configureHttp(app: NestExpressApplication, config: AppConfig): void {
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy); // req.ip: the client address login throttling counts
  answerClientErrors(app.getHttpServer());
  // Helmet's headers are fixed for fixed options: computed once, replayed on every response.
  const strict = recordStaticHeaders(helmet({ contentSecurityPolicy: { directives: CSP_DIRECTIVES } }));
  // Swagger UI needs inline scripts and styles, which the default CSP forbids; relax /docs only.
  const docs = recordStaticHeaders(helmet({ contentSecurityPolicy: false }));
  // The `cors` package Nest's enableCors mounts, with the same options, run from here.
  const crossOrigin = cors({
    origin: config.corsOrigins === '*' ? true : config.corsOrigins,
    exposedHeaders: ['x-request-id'],
    credentials: false,
  });
  for (const headers of [strict, docs]) {
    if (headers.set.some(([name]) => name.toLowerCase() === 'vary')) throw new Error('configureHttp: a static header sets Vary; NO_ORIGIN_CORS would overwrite it');
  }
  // First middleware of all (one layer, not three): even a body-parser failure answers with the
  // request id and the security headers.
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    requestIdFor(req, res);
    applyStaticHeaders(res, req.url!.startsWith('/docs') ? docs : strict);
    if (isLivenessProbe(req)) return answerLive(req, res);
    if (req.headers.origin === undefined && req.method !== 'OPTIONS') {
      applyStaticHeaders(res, NO_ORIGIN_CORS);
      return next();
    }
    crossOrigin(req, res, next);
  });
  for (const parser of bodyParsers(featureBodyLimits(app, config))) app.use(parser);
  app.useGlobalPipes(createValidationPipe());
  app.useWebSocketAdapter(new RealtimeIoAdapter(app, config));

  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}

const LIVE = Buffer.from(JSON.stringify({ status: 'ok' }));

/**
 * What `cors` sets, with our options (origin `true` or a list, exposed x-request-id, no
 * credentials), on a request without Origin that is not a preflight: `Vary: Origin` and the
 * exposed header (no Access-Control-Allow-Origin: there is no origin to allow). Same names, same
 * case, same values, without cors's per-request option merging and callbacks; the spec in
 * configure-http.spec.ts compares the two.
 */
export const NO_ORIGIN_CORS: StaticHeaders = { set: [['Vary', 'Origin'], ['Access-Control-Expose-Headers', 'x-request-id']], remove: [] };

/**
 * A liveness probe (GET or HEAD /health/live from a probe or curl: no Origin) is answered here,
 * with its request id and security headers, before CORS, body parsers, metrics, logging and the
 * Nest router: it needs none of them, and an orchestrator polls it on every pod every few
 * seconds. A browser's request (with Origin) goes the whole way and gets CORS like any route;
 * HealthController.live documents the route and answers those.
 */
function isLivenessProbe(req: IncomingMessage): boolean {
  const url = req.url!;
  return (
    (req.method === 'GET' || req.method === 'HEAD') &&
    url.startsWith('/health/live') &&
    (url.length === 12 || url[12] === '?') &&
    req.headers.origin === undefined
  );
}

function answerLive(req: IncomingMessage, res: ServerResponse): void {
  res.statusCode = 200;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', LIVE.length);
  res.end(req.method === 'HEAD' ? undefined : LIVE);
}
