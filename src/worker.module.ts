import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './core/config/app-config';
import { CoreModule } from './core/core.module';
import { FEATURE_MODULES, FEATURES } from './feature-modules';

/**
 * The queue consumer: the same feature modules, booted as an application context, so their
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
