import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Proves each boundary of eslint.config.mjs fires on a deliberate violation (and stays quiet on
// the allowed counterpart). ESLint's config is ESM, so it runs in a child process, as `npm run lint` does.
const root = join(__dirname, '..');

interface Case {
  file: string;
  code: string;
}

const script = `
import { ESLint } from 'eslint';
const cases = JSON.parse(process.argv[1]);
const eslint = new ESLint({ cwd: ${JSON.stringify(root)} });
const out = [];
for (const { file, code } of cases) {
  const [result] = await eslint.lintText(code, { filePath: file });
  out.push(result.messages.map((m) => m.ruleId));
}
process.stdout.write(JSON.stringify(out));
`;

async function lint(cases: Case[]): Promise<(string | null)[][]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(cases)], {
    cwd: root,
    maxBuffer: 10 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}

const at = (file: string) => join(root, file);

describe('lint boundaries (eslint.config.mjs)', () => {
  const cases: { what: string; file: string; code: string; expected: string[] }[] = [
    {
      what: 'core importing a feature',
      file: at('src/core/http/violation.ts'),
      code: "import { JobsService } from '../../modules/jobs/jobs.service';\nexport const x = JobsService;\n",
      expected: ['import-x/no-restricted-paths'],
    },
    {
      what: "a feature importing another feature's repository",
      file: at('src/modules/jobs/violation.ts'),
      code: "import { EcgRepository } from '../ecg/ecg.repository';\nexport const x = EcgRepository;\n",
      expected: ['import-x/no-restricted-paths'],
    },
    {
      what: "a feature importing another feature's entity",
      file: at('src/modules/ecg/nested/violation.ts'),
      code: "import { JobEntity } from '../../jobs/entities/job.entity';\nexport const x = JobEntity;\n",
      expected: ['import-x/no-restricted-paths'],
    },
    {
      what: "a feature importing another feature's service (allowed)",
      file: at('src/modules/jobs/allowed.ts'),
      code: "import { EcgService } from '../ecg/ecg.service';\nexport const x = EcgService;\n",
      expected: [],
    },
    {
      what: 'a service importing typeorm',
      file: at('src/modules/jobs/violation.service.ts'),
      code: "import { DataSource } from 'typeorm';\nexport const x = DataSource;\n",
      expected: ['no-restricted-imports'],
    },
    {
      what: 'a repository importing typeorm (allowed)',
      file: at('src/modules/jobs/allowed.repository.ts'),
      code: "import { DataSource } from 'typeorm';\nexport const x = DataSource;\n",
      expected: [],
    },
    {
      what: 'a feature importing minio',
      file: at('src/modules/jobs/violation.ts'),
      code: "import { Client } from 'minio';\nexport const x = Client;\n",
      expected: ['no-restricted-imports'],
    },
    {
      what: 'core/storage importing minio (allowed)',
      file: at('src/core/storage/allowed.ts'),
      code: "import { Client } from 'minio';\nexport const x = Client;\n",
      expected: [],
    },
    {
      what: 'core/storage importing amqplib',
      file: at('src/core/storage/violation.ts'),
      code: "import { connect } from 'amqplib';\nexport const x = connect;\n",
      expected: ['no-restricted-imports'],
    },
    {
      what: 'a feature importing amqp-connection-manager',
      file: at('src/modules/ecg/violation.ts'),
      code: "import { connect } from 'amqp-connection-manager';\nexport const x = connect;\n",
      expected: ['no-restricted-imports'],
    },
    {
      what: 'core/messaging importing amqplib (allowed)',
      file: at('src/core/messaging/allowed.ts'),
      code: "import { connect } from 'amqplib';\nexport const x = connect;\n",
      expected: [],
    },
  ];

  let results: (string | null)[][];
  beforeAll(async () => {
    results = await lint(cases.map(({ file, code }) => ({ file, code })));
  }, 60_000);

  it.each(cases.map((c, i) => [c.what, i] as const))('%s', (_what, i) => {
    expect(results[i]).toEqual(cases[i].expected);
  });
});
