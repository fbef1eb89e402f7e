/**
 * `npm run deploy:check`: renders the Helm chart for each scenario in deploy/check/values, then
 * `helm lint --strict`, schema validation of every object (Kubernetes, KEDA, Prometheus Operator),
 * an unknown-field check and the project rules (rules.ts). Offline after the first helm fetch.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_DIR, helm } from './helm';
import { parseManifests, type K8sObject } from './manifests';
import { RULES, runRules } from './rules';
import { checkUnknownFields, validateSchemas } from './schemas';

// The cluster the chart targets: the oldest Kubernetes we support, with the KEDA and Prometheus
// Operator CRDs installed (docs/deploy.md).
const KUBE_VERSION = '1.30.0';
const API_VERSIONS = ['keda.sh/v1alpha1', 'monitoring.coreos.com/v1'];
const SCENARIOS_DIR = join(__dirname, 'values');

export function renderScenario(valuesFile: string): K8sObject[] {
  const args = ['--values', valuesFile];
  helm(['lint', '--strict', CHART_DIR, ...args]);
  const rendered = helm([
    'template', 'horizon', CHART_DIR, '--namespace', 'horizon', '--kube-version', KUBE_VERSION,
    ...API_VERSIONS.flatMap((v) => ['--api-versions', v]), ...args,
  ]);
  return parseManifests(rendered, valuesFile);
}

function main(): void {
  const started = Date.now();
  const scenarios = readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith('.yaml')).sort();
  const rendered = scenarios.map((file) => ({ file, objects: renderScenario(join(SCENARIOS_DIR, file)) }));
  const all = rendered.flatMap((r) => r.objects);
  // One TypeScript program for every scenario: the compiler's start-up is the slow part.
  const unknownFields = [...new Set(checkUnknownFields(all))]; // the same template fails in each scenario
  let failed = unknownFields.length > 0;
  for (const problem of unknownFields) console.log(`  unknown field: ${problem}`);
  for (const { file, objects } of rendered) {
    const problems = [...validateSchemas(objects).map((p) => `schema: ${p}`), ...runRules(objects).map((p) => `rule ${p}`)];
    const kinds = [...new Set(objects.map((o) => o.kind))].sort().join(', ');
    console.log(`${problems.length ? 'FAIL' : 'ok  '} ${file}: ${objects.length} objects (${kinds})`);
    for (const problem of problems) console.log(`  ${problem}`);
    failed ||= problems.length > 0;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    failed
      ? `deploy:check failed (${seconds} s)`
      : `deploy:check passed: ${scenarios.length} scenarios, ${all.length} objects, helm lint --strict, schemas, unknown fields, ${RULES.length} rules (${seconds} s)`,
  );
  if (failed) process.exitCode = 1;
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}

