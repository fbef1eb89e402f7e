import type { Type } from '@nestjs/common';
import type { FeatureRegistry } from './core/core.module';
import { EcgModule } from './modules/ecg/ecg.module';
import { ECG_ANALYSE } from './modules/ecg/ecg.messages';
import { JobsModule } from './modules/jobs/jobs.module';
import { JOBS_INGEST } from './modules/jobs/jobs.messages';
import { TasksModule } from './modules/tasks/tasks.module';
import { TASKS_ANONYMISE } from './modules/tasks/tasks.messages';

// The composition root: each feature is listed here once, and core receives what it needs
// through CoreModule.forRoot, so nothing under src/core imports a feature.

/** Feature modules shared by the API gateway and the worker (each brings its consumers). */
export const FEATURE_MODULES: Type[] = [
  EcgModule,
  JobsModule,
  TasksModule,
];

/** What the features hand to core. */
export const FEATURES: FeatureRegistry = {
  queues: [
    ECG_ANALYSE,
    JOBS_INGEST,
    TASKS_ANONYMISE,
  ],
};
