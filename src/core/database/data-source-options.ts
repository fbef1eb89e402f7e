import { DataSource, type DataSourceOptions } from 'typeorm';

/**
 * The schema the features hand to core (listed once in src/feature-modules.ts). Explicit lists,
 * no globs, so the app, the migration CLI and the ERD generator see exactly the same schema,
 * compiled or under ts-node.
 */
export interface DatabaseSchema {
  entities: NonNullable<DataSourceOptions['entities']>;
  migrations: NonNullable<DataSourceOptions['migrations']>;
}

/** `poolMax`: connections this process may hold (DATABASE_POOL_MAX; docs/scaling.md sizes it). */
export function dataSourceOptions(url: string, { entities, migrations }: DatabaseSchema, poolMax = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    extra: { max: poolMax, application_name: 'horizon' },
  };
}

/** A data source that is not connected yet, for the TypeORM CLI (src/cli-data-source.ts). */
export function createDataSource(url: string, schema: DatabaseSchema): DataSource {
  return new DataSource(dataSourceOptions(url, schema));
}
