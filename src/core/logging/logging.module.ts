import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { requestIdFor } from '../http/request-id';

/** Structured JSON logs (pino); each HTTP log line carries the request id. */
@Module({})
export class LoggingModule {
  static forRoot(): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            // The liveness probe logs nothing (autoLogging ignores it, its handler never logs):
            // no per-request child logger and async context for it. Readiness keeps both.
            exclude: [{ path: 'health/live', method: RequestMethod.GET }],
            pinoHttp: {
              level: config.logLevel,
              genReqId: requestIdFor,
              customAttributeKeys: { reqId: 'request_id' },
              redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.query.access_token'], censor: '[redacted]' },
              autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
              serializers: {
                req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url.replace(/access_token=[^&]+/, 'access_token=[redacted]') }),
                res: (res: { statusCode: number }) => ({ status: res.statusCode }),
              },
            },
          }),
        }),
      ],
    };
  }
}
