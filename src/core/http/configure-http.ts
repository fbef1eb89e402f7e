import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { AppConfig } from '../config/app-config';
import { RealtimeIoAdapter } from '../realtime/realtime-io.adapter';
import { featureBodyLimits } from './body-limits';
import { bodyParsers } from './body-parsers';
import { answerClientErrors } from './client-errors';
import { CSP_DIRECTIVES } from './content-security-policy';
import { buildOpenApiDocument } from './openapi';
import { requestIdFor } from './request-id';
import { applyStaticHeaders, recordStaticHeaders } from './static-headers';
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
  // First middleware of all (one layer, not two): even a body-parser failure answers with the
  // request id and the security headers.
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    requestIdFor(req, res);
    applyStaticHeaders(res, req.url!.startsWith('/docs') ? docs : strict);
    if (isLivenessProbe(req)) return answerLive(req, res);
    next();
  });
  app.enableCors({
    origin: config.corsOrigins === '*' ? true : config.corsOrigins,
    exposedHeaders: ['x-request-id'],
    credentials: false,
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
