import type { Type } from '@nestjs/common';
import { EcgModule } from './modules/ecg/ecg.module';
import { JobsModule } from './modules/jobs/jobs.module';
import { TasksModule } from './modules/tasks/tasks.module';

/** Feature modules shared by the API gateway and the worker (each brings its consumers). */
export const FEATURE_MODULES: Type[] = [
  EcgModule,
  JobsModule,
  TasksModule,
];
