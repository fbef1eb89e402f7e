import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './core/config/app-config';
import { CoreModule } from './core/core.module';
import { FEATURE_MODULES, FEATURES } from './feature-modules';

/**
 * The queue consumer: the same feature modules, booted as a Nest microservice
 * (`NestFactory.createMicroservice` on our transport strategy, see bootstrap.ts), so their HTTP
 * controllers are never mounted; only health and metrics listen (WorkerHealthServer).
 */
@Module({})
export class WorkerModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(config, { consume: true, http: false, features: FEATURES }), ...FEATURE_MODULES],
    };
  }
}
