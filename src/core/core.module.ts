import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import type { DatabaseSchema } from './database/data-source-options';
import { DataLifecycleModule } from './data-lifecycle/data-lifecycle.module';
import { FEATURE_BODY_LIMITS, type BodyLimitSource } from './http/body-limits';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MessagingModule } from './messaging/messaging.module';
import type { QueueDefinition } from './messaging/queue-definition';
import { MetricsModule } from './metrics/metrics.module';
import { RealtimeModule } from './realtime/realtime.module';
import { StorageModule } from './storage/storage.module';

/** What the features hand to core (listed once in src/feature-modules.ts). */
export interface FeatureRegistry extends DatabaseSchema {
  /** Every queue a feature defines (`defineQueue`): declared at boot, the only ones accepted. */
  queues: readonly QueueDefinition[];
  /** Route prefixes that take bulk bodies (declared beside their controllers); the rest keep the small default. */
  bodyLimits?: readonly BodyLimitSource[];
}

/** Infrastructure every process needs: config, logs, database, storage, broker, health, metrics. */
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, options: { consume: boolean; http: boolean; features: FeatureRegistry }): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(),
        DatabaseModule.forRoot(options.features),
        StorageModule.register(config.storage),
        MessagingModule.forRoot({
          url: config.rabbitmqUrl,
          queues: options.features.queues,
          consume: options.consume,
          consumeQueues: config.worker.queues,
          prefetch: config.worker.prefetch,
        }),
        RealtimeModule,
        MetricsModule,
        HealthModule.forRoot({ workerServer: !options.http }),
        DataLifecycleModule,
      ],
      providers: [{ provide: FEATURE_BODY_LIMITS, useValue: options.features.bodyLimits ?? [] }],
    };
  }
}
