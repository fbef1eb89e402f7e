import type { Type } from '@nestjs/common';
import { CreateUsers1763835000000 } from '../migrations/1763835000000-create-users';
import { CreateEcgs1763840000000 } from '../migrations/1763840000000-create-ecgs';
import { CreateJobs1763850000000 } from '../migrations/1763850000000-create-jobs';
import { CreateSeries1764000000000 } from '../migrations/1764000000000-create-series';
import { CreateTranscriptions1764200000000 } from '../migrations/1764200000000-create-transcriptions';
import { CreateTasks1764100000000 } from '../migrations/1764100000000-create-tasks';
import { TranscriptionsWarnings1796472000000 } from '../migrations/1796472000000-transcriptions-warnings';
import { EcgSignalsUncompressed1796480000000 } from '../migrations/1796480000000-ecg-signals-uncompressed';
import { TranscriptionsCheckpoint1796500000000 } from '../migrations/1796500000000-transcriptions-checkpoint';
import { Accounts1764300000000 } from '../migrations/1764300000000-accounts';
import type { FeatureRegistry } from './core/core.module';
import { UserErasureEntity } from './core/data-lifecycle/entities/user-erasure.entity';
import { USERS_ERASE } from './core/data-lifecycle/user-erasure.messages';
import { CreateUserErasures1765000000000 } from '../migrations/1765000000000-create-user-erasures';
import { DataLifecycle1765100000000 } from '../migrations/1765100000000-data-lifecycle';
import { UserEntity } from './modules/auth/entities/user.entity';
import { AccessTokenEntity } from './modules/auth/entities/access-token.entity';
import { AuditEventEntity } from './modules/auth/entities/audit-event.entity';
import { LoginThrottleEntity } from './modules/auth/entities/login-throttle.entity';
import { EcgLeadEntity } from './modules/ecg/entities/ecg-lead.entity';
import { EcgEntity } from './modules/ecg/entities/ecg.entity';
import { ECG_BODY_LIMIT } from './modules/ecg/ecg.controller';
import { ECG_WORKLOAD } from './modules/ecg/ecg.workload';
import { EcgModule } from './modules/ecg/ecg.module';
import { JobEntity } from './modules/jobs/entities/job.entity';
import { LogEntryEntity } from './modules/jobs/entities/log-entry.entity';
import { LogRejectionEntity } from './modules/jobs/entities/log-rejection.entity';
import { JOBS_WORKLOAD } from './modules/jobs/jobs.workload';
import { JobsModule } from './modules/jobs/jobs.module';
import { SeriesEntity } from './modules/series/entities/series.entity';
import { SERIES_BODY_LIMIT } from './modules/series/series.controller';
import { SeriesModule } from './modules/series/series.module';
import { TranscriptionEntity } from './modules/transcriptions/entities/transcription.entity';
import { TRANSCRIPTIONS_WORKLOAD } from './modules/transcriptions/transcriptions.workload';
import { TranscriptionsModule } from './modules/transcriptions/transcriptions.module';
import { TaskObjectCountEntity } from './modules/tasks/entities/task-object-count.entity';
import { TaskEntity } from './modules/tasks/entities/task.entity';
import { TASKS_WORKLOAD } from './modules/tasks/tasks.workload';
import { TasksModule } from './modules/tasks/tasks.module';

// The composition root. A feature is added here, once: its module, its workload (which names its
// queue and realtime resource), its entities, its migrations and any bulk-body limit. Core receives them through CoreModule.forRoot (and the CLI through
// dataSourceOptions), so nothing under src/core imports a feature.

/** Feature modules shared by the API gateway and the worker (each brings its consumers). */
export const FEATURE_MODULES: Type[] = [
  EcgModule,
  JobsModule,
  SeriesModule,
  TranscriptionsModule,
  TasksModule,
];

/** The background workloads (core/workload, defineWorkload): their queues are declared from here. */
export const WORKLOADS = [
  ECG_WORKLOAD,
  JOBS_WORKLOAD,
  TRANSCRIPTIONS_WORKLOAD,
  TASKS_WORKLOAD,
];

/**
 * The resource types the realtime channels accept, one per workload (docs/realtime.md). Core keeps
 * `resource: string` and asks the snapshot registry which exist; the closed list lives here.
 */
export type StatusResource = 'ecg' | 'job' | 'transcription' | 'task';

/** What the features hand to core. Auth is imported by the HTTP app only, but its users table is everyone's. */
export const FEATURES: FeatureRegistry = {
  // users.erase is core's (data lifecycle), not a workload: no status events, no snapshots.
  queues: [...WORKLOADS.map((workload) => workload.queue), USERS_ERASE],
  bodyLimits: [ECG_BODY_LIMIT, SERIES_BODY_LIMIT],
  entities: [
    UserEntity,
    EcgEntity,
    EcgLeadEntity,
    JobEntity,
    LogEntryEntity,
    LogRejectionEntity,
    SeriesEntity,
    TranscriptionEntity,
    TaskEntity,
    TaskObjectCountEntity,
    UserErasureEntity,
    AccessTokenEntity,
    LoginThrottleEntity,
    AuditEventEntity,
  ],
  // In timestamp order; each feature's migrations are named after it.
  migrations: [
    CreateUsers1763835000000,
    CreateEcgs1763840000000,
    CreateJobs1763850000000,
    CreateSeries1764000000000,
    CreateTasks1764100000000,
    CreateTranscriptions1764200000000,
    Accounts1764300000000,
    CreateUserErasures1765000000000,
    DataLifecycle1765100000000,
    TranscriptionsWarnings1796472000000,
    EcgSignalsUncompressed1796480000000,
    TranscriptionsCheckpoint1796500000000,
  ],
};
