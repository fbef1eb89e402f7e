import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { AppConfig } from '../config/app-config';
import { RealtimeIoAdapter } from '../realtime/realtime-io.adapter';
import { featureBodyLimits } from './body-limits';
import { bodyParsers } from './body-parsers';
import { answerClientErrors } from './client-errors';
import { CSP_DIRECTIVES } from './content-security-policy';
import { buildOpenApiDocument } from './openapi';
import { requestIdMiddleware } from './request-id';
import { createValidationPipe } from './validation';

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
  for (const parser of bodyParsers(featureBodyLimits(app, config))) app.use(parser);
  app.useGlobalPipes(createValidationPipe());
  app.useWebSocketAdapter(new RealtimeIoAdapter(app, config));

  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
