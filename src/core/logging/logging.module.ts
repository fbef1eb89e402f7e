import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { httpLogger, RequestLoggingMiddleware } from './request-logging';

/**
 * Structured JSON logs (pino). The logger is pino-http's (its serializers and redaction); the
 * per-request part is RequestLoggingMiddleware, mounted here once, instead of nestjs-pino's two
 * middlewares (pino-http's eager child logger plus its context binding).
 */
@Module({})
export class LoggingModule implements NestModule {
  static forRoot(): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            // `useExisting` with no routes: nestjs-pino mounts no middleware of its own; its
            // PinoLogger logs through this logger, or the request's child of it (AsyncLocalStorage).
            useExisting: true,
            forRoutes: [],
            pinoHttp: {
              logger: httpLogger(config.logLevel),
            },
          }),
        }),
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestLoggingMiddleware).forRoutes('*path');
  }
}
