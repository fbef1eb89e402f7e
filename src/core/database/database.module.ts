import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions, type DatabaseSchema } from './data-source-options';
import { runMigrationsLocked } from './migrate';

@Module({})
export class DatabaseModule {
  /** `schema`: the features' entities and migrations. */
  static forRoot(schema: DatabaseSchema): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => {
            if (!config.database.url) {
              throw new Error('no database URL: the entry point starts the embedded PostgreSQL before the app');
            }
            return { ...dataSourceOptions(config.database.url, schema, config.database.poolMax), retryAttempts: 3, retryDelay: 1000 };
          },
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            return dataSource;
          },
        }),
      ],
      providers: [
        {
          provide: 'MIGRATIONS_AT_BOOT',
          inject: [AppConfig, DataSource],
          useFactory: async (config: AppConfig, dataSource: DataSource) =>
            config.database.migrationsRun ? runMigrationsLocked(dataSource) : [],
        },
      ],
    };
  }
}
