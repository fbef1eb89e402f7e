// @ts-check
// Lint that guards the architecture (docs/architecture.md, "Layers"): `npm run lint` runs it with tsc.
// src/lint-boundaries.spec.ts proves each boundary rule fires on a deliberate violation.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const root = fileURLToPath(new URL('.', import.meta.url));
const features = readdirSync(new URL('./src/modules', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** Packages only some folders may import: `package → files allowed to import it`. */
const OWNED_PACKAGES = [
  {
    packages: ['typeorm'],
    allowed: ['src/**/*.repository.ts', 'src/**/entities/**', 'migrations/**', 'src/core/database/**'],
    message: 'Only repositories, entities, migrations and core/database touch TypeORM; services get plain objects from a repository.',
  },
  { packages: ['minio'], allowed: ['src/core/storage/**'], message: 'Only core/storage talks to S3; inject ObjectStorage.' },
  {
    packages: ['amqplib', 'amqp-connection-manager'],
    allowed: ['src/core/messaging/**'],
    message: 'Only core/messaging talks to RabbitMQ; inject MessagePublisher or write an @EventPattern consumer.',
  },
];

/** The rule that keeps `src/` layered; exported for the rule test. */
export const boundaryZones = [
  {
    target: './src/core',
    from: './src/modules',
    message: 'core must not import a feature: declare an interface in core and let the composition root (src/) hand the feature in.',
  },
  ...features.map((feature) => ({
    target: `./src/modules/${feature}`,
    from: features.filter((other) => other !== feature).flatMap((other) => [`./src/modules/${other}/**/*.repository.ts`, `./src/modules/${other}/**/entities/**`]),
    message: "A feature must not use another feature's repository or entities: call its exported service instead.",
  })),
];

/** @param {string[]} files @param {typeof OWNED_PACKAGES} owned */
function restrictedImports(files, owned) {
  const paths = owned.flatMap(({ packages, message }) => packages.map((name) => ({ name, message })));
  return { files, rules: { 'no-restricted-imports': ['error', { paths }] } };
}

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })] },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // TypeScript checks these better (and knows about declaration merging and overloads)
      'no-undef': 'off',
      'no-redeclare': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { basePath: root, zones: boundaryZones }] },
  },
  // One no-restricted-imports per folder (a later config replaces a rule's options, never merges
  // them): everything is refused by default, and each owner's folders get the list without theirs.
  restrictedImports(['src/**/*.ts', 'migrations/**/*.ts'], OWNED_PACKAGES),
  ...OWNED_PACKAGES.map((owner) => restrictedImports(owner.allowed, OWNED_PACKAGES.filter((other) => other !== owner))),
);
