import type { Type } from '@nestjs/common';
import { EcgModule } from './modules/ecg/ecg.module';
import { JobsModule } from './modules/jobs/jobs.module';
import { TranscriptionsModule } from './modules/transcriptions/transcriptions.module';

/** Feature modules shared by the API gateway and the worker (each brings its consumers). */
export const FEATURE_MODULES: Type[] = [
  EcgModule,
  JobsModule,
  TranscriptionsModule,
];
