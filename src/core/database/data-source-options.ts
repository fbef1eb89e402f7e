import { DataSourceOptions } from 'typeorm';
import { UserEntity } from '../../modules/auth/entities/user.entity';
import { CreateUsers1763835000000 } from '../../../migrations/1763835000000-create-users';
import { EcgLeadEntity } from '../../modules/ecg/entities/ecg-lead.entity';
import { EcgEntity } from '../../modules/ecg/entities/ecg.entity';
import { CreateEcgs1763840000000 } from '../../../migrations/1763840000000-create-ecgs';
import { JobEntity } from '../../modules/jobs/entities/job.entity';
import { LogEntryEntity } from '../../modules/jobs/entities/log-entry.entity';
import { LogRejectionEntity } from '../../modules/jobs/entities/log-rejection.entity';
import { CreateJobs1763850000000 } from '../../../migrations/1763850000000-create-jobs';
import { TaskEntity } from '../../modules/tasks/entities/task.entity';
import { TaskObjectCountEntity } from '../../modules/tasks/entities/task-object-count.entity';
import { CreateTasks1764100000000 } from '../../../migrations/1764100000000-create-tasks';

/**
 * Entities and migrations are listed explicitly (no globs), so the app, the migration CLI and
 * the ERD generator see exactly the same schema, compiled or under ts-node.
 */
export const ENTITIES = [
  UserEntity,
  EcgEntity,
  EcgLeadEntity,
  JobEntity,
  LogEntryEntity,
  LogRejectionEntity,
  TaskEntity,
  TaskObjectCountEntity,
];
export const MIGRATIONS = [
  CreateUsers1763835000000,
  CreateEcgs1763840000000,
  CreateJobs1763850000000,
  CreateTasks1764100000000,
];

export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    extra: { max: 20, application_name: 'horizon' },
  };
}
