import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { entityMetadatas, renderErdDocument } from './core/database/erd';
import { FEATURES } from './feature-modules';

/** `npm run erd`: rewrites docs/erd.md from the entities the app maps. */
export const ERD_FILE = join(__dirname, '..', 'docs', 'erd.md');

async function main(): Promise<void> {
  writeFileSync(ERD_FILE, renderErdDocument(await entityMetadatas(FEATURES.entities)));
  process.stdout.write(`wrote ${ERD_FILE}\n`);
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
