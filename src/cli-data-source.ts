import { AppConfig } from './core/config/app-config';
import { createDataSource } from './core/database/data-source-options';
import { FEATURES } from './feature-modules';

// For the TypeORM CLI (`npm run migration:generate`), which needs a running server: DATABASE_URL.
const { url } = AppConfig.fromEnvironment().database;
if (!url) throw new Error('set DATABASE_URL to the database to diff against (e.g. postgres://postgres@127.0.0.1:5432/horizon_dev)');

export default createDataSource(url, FEATURES);
