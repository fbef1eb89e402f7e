import { dataSourceOptions } from './data-source-options';

describe('dataSourceOptions', () => {
  const schema = { entities: [], migrations: [] };

  it("caps the process's connection pool at DATABASE_POOL_MAX (20 unless configured)", () => {
    expect(dataSourceOptions('postgres://h@db/h', schema)).toMatchObject({ extra: { max: 20 } });
    expect(dataSourceOptions('postgres://h@db/h', schema, 4)).toMatchObject({ extra: { max: 4 } });
  });
});
