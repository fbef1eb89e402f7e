import { readFileSync } from 'node:fs';
import { entityMetadatas, renderErd, renderErdDocument } from '../../src/core/database/erd';
import { ERD_FILE } from '../../src/erd';
import { FEATURES } from '../../src/feature-modules';

/** docs/erd.md is the schema as reviewers see it; it must match the entities the app maps. */
describe('ER diagram', () => {
  it('matches the committed docs/erd.md (run `npm run erd` after an entity change)', async () => {
    const rendered = renderErdDocument(await entityMetadatas(FEATURES.entities));
    expect(readFileSync(ERD_FILE, 'utf8')).toBe(rendered);
  });

  it('draws every mapped table and the foreign keys between them', async () => {
    const metadatas = await entityMetadatas(FEATURES.entities);
    const erd = renderErd(metadatas);
    for (const table of metadatas.map((m) => m.tableName)) expect(erd).toContain(`  ${table} {`);
    expect(erd).toContain('users ||--o{ tasks : "owner_id (on delete cascade)"');
    expect(erd).toContain('tasks ||--o{ task_object_counts : "task_id (on delete cascade)"');
    expect(erd).toMatch(/uuid id PK/);
  });
});
