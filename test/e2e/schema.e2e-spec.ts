import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/core/database/data-source-options';
import { FEATURES } from '../../src/feature-modules';
import { createTestDatabase } from '../utils/test-database';

// The entities the composition root lists describe exactly the schema its migrations build, so
// `npm run migration:generate` after a merge shows only real changes (and a missing migration fails here).
describe('schema', () => {
  it('the migrations build exactly what the entities describe', async () => {
    const database = await createTestDatabase();
    const dataSource = await new DataSource(dataSourceOptions(database.url, FEATURES)).initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
      const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
      expect(upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });
});
