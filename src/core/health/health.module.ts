import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { ReadinessDetails } from './readiness-details';
import { ReadinessService } from './readiness.service';
import { WorkerHealthServer } from './worker-health.server';

@Module({})
export class HealthModule {
  /** The API serves health through its controllers; a worker through its own tiny server. */
  static forRoot(options: { workerServer: boolean }): DynamicModule {
    return {
      module: HealthModule,
      // Global so that features can register their readiness details.
      global: true,
      imports: [TerminusModule],
      controllers: [HealthController],
      providers: [ReadinessService, ReadinessDetails, ...(options.workerServer ? [WorkerHealthServer] : [])],
      exports: [ReadinessDetails],
    };
  }
}
