import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { AppConfig } from '../config/app-config';
import { RealtimeIoAdapter } from '../realtime/realtime-io.adapter';
import { BodyLimit, bodyParsers } from './body-parsers';
import { answerClientErrors } from './client-errors';
import { CSP_DIRECTIVES } from './content-security-policy';
import { buildOpenApiDocument } from './openapi';
import { requestIdMiddleware } from './request-id';
import { createValidationPipe } from './validation';

/** Routes that take bulk bodies; every other JSON route keeps the small default. */
export const BODY_LIMITS: BodyLimit[] = [
  // 12 leads × 60 s × 1 kHz of int32 samples as JSON text (about 8 MB at full scale), with headroom.
  { prefix: '/api/v1/ecgs', limit: '16mb' },
];

/**
 * The series store route takes SERIES_MAX_POINTS points in any of its forms. The points form is
 * the widest: about 75 bytes a point compact (`{"timestamp":"2025-11-22T10:15:00.123Z","value":
 * -1.2345678901234567e-100},`), up to about 110 pretty-printed; 128 bytes a point plus 1 MB
 * covers all three forms. Over the limit is a 413 before anything is parsed.
 */
export function seriesBodyLimit(maxPoints: number): BodyLimit {
  return { prefix: '/api/v1/series', limit: `${Math.ceil((maxPoints * 128) / 1024 / 1024) + 1}mb`, textTypes: ['text/csv'] };
}

/** Everything the HTTP edge needs before it listens; shared by the entry points and the e2e tests. */
export function configureHttp(app: NestExpressApplication, config: AppConfig): void {
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy); // req.ip: the client address login throttling counts
  answerClientErrors(app.getHttpServer());
  app.use(requestIdMiddleware);
  const strict = helmet({ contentSecurityPolicy: { directives: CSP_DIRECTIVES } });
  // Swagger UI needs inline scripts and styles, which the default CSP forbids; relax /docs only.
  const docs = helmet({ contentSecurityPolicy: false });
  app.use((req: Request, res: Response, next: NextFunction) => (req.path.startsWith('/docs') ? docs : strict)(req, res, next));
  app.enableCors({
    origin: config.corsOrigins === '*' ? true : config.corsOrigins,
    exposedHeaders: ['x-request-id'],
    credentials: false,
  });
  for (const parser of bodyParsers([...BODY_LIMITS, seriesBodyLimit(config.seriesMaxPoints)])) app.use(parser);
  app.useGlobalPipes(createValidationPipe());
  app.useWebSocketAdapter(new RealtimeIoAdapter(app, config));

  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
