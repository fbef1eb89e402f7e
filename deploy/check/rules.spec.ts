import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderScenario } from './index';
import type { K8sObject } from './manifests';
import { RULES, runRules } from './rules';
import { checkUnknownFields, validateSchemas } from './schemas';

/* eslint-disable @typescript-eslint/no-explicit-any -- the breakers poke into untyped manifests */
type Any = any;

const SCENARIO = join(__dirname, 'values', 'full.yaml');
let rendered: K8sObject[];

beforeAll(() => {
  rendered = renderScenario(SCENARIO); // fetches helm once into deploy/.tools on a clean clone
}, 120_000);

const find = (objects: K8sObject[], kind: string, component?: string): Any =>
  objects.find((o) => o.kind === kind && (!component || o.metadata.labels?.['app.kubernetes.io/component'] === component))!;
const container = (objects: K8sObject[], component: string): Any => find(objects, 'Deployment', component).spec.template.spec.containers[0];

// Each rule, and one way to break it that a real chart edit could introduce.
const BREAKERS: Record<string, (objects: K8sObject[]) => void> = {
  resources: (o) => delete container(o, 'worker-tasks').resources.limits.memory,
  probes: (o) => delete container(o, 'api').readinessProbe,
  'probe-ports': (o) => (container(o, 'worker-ingest').livenessProbe.httpGet.port = 'http'),
  'non-root': (o) => (container(o, 'api').securityContext.runAsUser = 0),
  hardening: (o) => (container(o, 'worker-transcriptions').securityContext.readOnlyRootFilesystem = false),
  'image-pinned': (o) => (container(o, 'api').image = 'ghcr.io/horizon/horizon:latest'),
  'worker-scaledobject': (o) => o.splice(o.indexOf(find(o, 'ScaledObject', 'worker-tasks')), 1),
  'autoscaled-no-replicas': (o) => (find(o, 'Deployment', 'worker-ingest').spec.replicas = 2),
  pdb: (o) => {
    const pdb = find(o, 'PodDisruptionBudget', 'worker-tasks');
    delete pdb.spec.maxUnavailable;
    pdb.spec.minAvailable = 1; // tasks scale to zero: this PDB would block every drain
  },
  labels: (o) => delete find(o, 'Service').metadata.labels['app.kubernetes.io/managed-by'],
  rollout: (o) => (find(o, 'Deployment', 'worker-ingest').spec.template.spec.terminationGracePeriodSeconds = 10),
  'config-checksum': (o) => delete find(o, 'Deployment', 'api').spec.template.metadata.annotations['checksum/secret'],
  'keda-http': (o) => (find(o, 'ScaledObject', 'worker-ingest').spec.triggers[0].metadata.protocol = 'amqp'),
  'migration-job': (o) => delete find(o, 'Job').spec.activeDeadlineSeconds,
  'secrets-not-in-configmaps': (o) => (find(o, 'ConfigMap', 'config').data.DATABASE_URL = 'postgres://horizon:pw@db/horizon'),
  'network-policy': (o) => o.splice(o.indexOf(find(o, 'NetworkPolicy', 'worker-transcriptions')), 1),
};

describe('deploy:check project rules', () => {
  it('the rendered chart breaks no rule, and every rule has a breaking example here', () => {
    expect(runRules(rendered)).toEqual([]);
    expect(Object.keys(BREAKERS).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  it.each(RULES.map((r) => r.id))('rule %s fires on a manifest that breaks it', (id) => {
    const broken = structuredClone(rendered);
    BREAKERS[id](broken);
    expect(runRules(broken)).toContainEqual(expect.stringMatching(new RegExp(`^\\[${id}\\] `)));
  });
});

describe('deploy:check schemas', () => {
  it('the rendered objects are valid and have no unknown fields', () => {
    expect(validateSchemas(rendered)).toEqual([]);
  });

  it('a value of the wrong type or enum is refused', () => {
    const broken = structuredClone(rendered);
    container(broken, 'api').imagePullPolicy = 'Sometimes';
    find(broken, 'ScaledObject', 'worker-tasks').spec.minReplicaCount = 'zero';
    const problems = validateSchemas(broken);
    expect(problems).toEqual([expect.stringMatching(/^Deployment\/horizon-api: .*imagePullPolicy/), expect.stringMatching(/^ScaledObject\/horizon-worker-tasks: .*minReplicaCount/)]);
  });

  it('a kind with no schema is refused', () => {
    const unknown = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } } as K8sObject;
    expect(validateSchemas([unknown])).toEqual(['Widget/w: no schema for example.com/v1 Widget']);
  });

  it('misspelt fields, at any depth and in CRDs, are named with their path', () => {
    const broken = structuredClone(rendered);
    container(broken, 'worker-ingest').resource = { limits: { cpu: '1' } };
    find(broken, 'ScaledObject', 'worker-tasks').spec.cooldownPeriods = 60;
    find(broken, 'PrometheusRule').spec.groups[0].rules[0].for_ = '5m';
    const problems = checkUnknownFields(broken).sort();
    expect(problems).toEqual([
      expect.stringMatching(/^Deployment\/horizon-worker-ingest: spec\.template\.spec\.containers\[0\]\.resource: .*does not exist in type 'IContainer'/),
      expect.stringMatching(/^PrometheusRule\/horizon: spec\.groups\[0\]\.rules\[0\]\.for_: /),
      expect.stringMatching(/^ScaledObject\/horizon-worker-tasks: spec\.cooldownPeriods: /),
    ]);
  }, 60_000);
});

describe('chart values', () => {
  const withValues = (yaml: string) => {
    const file = join(tmpdir(), `horizon-values-${process.pid}-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    return () => renderScenario(file);
  };

  it('values.schema.json refuses an unknown key instead of ignoring it', () => {
    expect(withValues('secrets:\n  create: false\n  existingSecret: s\napi:\n  replica: 3\n')).toThrow(/Additional property replica is not allowed/);
    expect(withValues('secrets:\n  create: false\n  existingSecret: s\nconfig:\n  LOG_LEVEL_: debug\n')).toThrow(/LOG_LEVEL_/);
  });

  it('a chart-made Secret without the connection URLs fails the render with the missing key', () => {
    expect(withValues('secrets:\n  values:\n    DATABASE_URL: postgres://x@y/z\n')).toThrow(/secrets.values.RABBITMQ_URL is required/);
  });
});
