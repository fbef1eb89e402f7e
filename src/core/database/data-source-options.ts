import type { DataSourceOptions } from 'typeorm';

/**
 * The schema the features hand to core (listed once in src/feature-modules.ts). Explicit lists,
 * no globs, so the app, the migration CLI and the ERD generator see exactly the same schema,
 * compiled or under ts-node.
 */
export interface DatabaseSchema {
  entities: NonNullable<DataSourceOptions['entities']>;
  migrations: NonNullable<DataSourceOptions['migrations']>;
}

export function dataSourceOptions(url: string, { entities, migrations }: DatabaseSchema): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    extra: { max: 20, application_name: 'horizon' },
  };
}
