import { describe, type K8sObject } from './manifests';

/** A project rule over the whole rendered release; returns one message per violation. */
export interface Rule {
  id: string;
  description: string;
  check(objects: K8sObject[]): string[];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- rules walk untyped, already schema-checked YAML */
type Any = any;

const WORKLOAD_KINDS = new Set(['Deployment', 'Job']);
const workloads = (objects: K8sObject[]) => objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
const deployments = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'Deployment');
const podSpec = (o: K8sObject): Any => (o.spec as Any)?.template?.spec ?? {};
const podLabels = (o: K8sObject): Record<string, string> => (o.spec as Any)?.template?.metadata?.labels ?? {};
const containersOf = (o: K8sObject): Any[] => [...(podSpec(o).initContainers ?? []), ...(podSpec(o).containers ?? [])];
const forContainers = (objects: K8sObject[], check: (c: Any, o: K8sObject) => string | undefined): string[] =>
  workloads(objects).flatMap((o) =>
    containersOf(o).flatMap((c) => {
      const problem = check(c, o);
      return problem ? [`${describe(o)} container ${c.name}: ${problem}`] : [];
    }),
  );
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
const isWorker = (o: K8sObject) => o.kind === 'Deployment' && /^worker-/.test(o.metadata.labels?.['app.kubernetes.io/component'] ?? '');
const autoscalerTargets = (objects: K8sObject[]) =>
  new Map(
    objects
      .filter((o) => o.kind === 'ScaledObject' || o.kind === 'HorizontalPodAutoscaler')
      .map((o) => [(o.spec as Any)?.scaleTargetRef?.name as string, o] as const),
  );
/** The fewest pods a Deployment runs: its autoscaler's minimum, else its replicas (default 1). */
function minReplicas(d: K8sObject, objects: K8sObject[]): number {
  const scaler = autoscalerTargets(objects).get(d.metadata.name);
  if (scaler?.kind === 'ScaledObject') return (scaler.spec as Any).minReplicaCount ?? 0;
  if (scaler?.kind === 'HorizontalPodAutoscaler') return (scaler.spec as Any).minReplicas ?? 1;
  return (d.spec as Any)?.replicas ?? 1;
}
function maxReplicas(d: K8sObject, objects: K8sObject[]): number {
  const scaler = autoscalerTargets(objects).get(d.metadata.name);
  if (scaler?.kind === 'ScaledObject') return (scaler.spec as Any).maxReplicaCount ?? 100;
  if (scaler?.kind === 'HorizontalPodAutoscaler') return (scaler.spec as Any).maxReplicas;
  return (d.spec as Any)?.replicas ?? 1;
}
const hasQuantity = (v: unknown) => typeof v === 'string' || typeof v === 'number';

const RECOMMENDED_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/component',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/version',
  'app.kubernetes.io/managed-by',
];
// Keys whose values are credentials (connection URLs carry a password).
const SECRET_KEY = /(SECRET|PASSWORD|TOKEN|_URL)$/;

export const RULES: Rule[] = [
  {
    id: 'resources',
    description: 'every container has CPU and memory requests and limits',
    check: (objects) =>
      forContainers(objects, (c) => {
        const missing = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'].filter((path) => {
          const [kind, resource] = path.split('.');
          return !hasQuantity(c.resources?.[kind]?.[resource]);
        });
        return missing.length ? `no ${missing.join(', ')}` : undefined;
      }),
  },
  {
    id: 'probes',
    description: 'every long-running container has startup, liveness and readiness probes',
    check: (objects) =>
      deployments(objects).flatMap((o) =>
        (podSpec(o).containers ?? []).flatMap((c: Any) => {
          const missing = ['startupProbe', 'livenessProbe', 'readinessProbe'].filter((p) => !c[p]);
          return missing.length ? [`${describe(o)} container ${c.name}: no ${missing.join(', ')}`] : [];
        }),
      ),
  },
  {
    id: 'probe-ports',
    description: "probes use one of the container's declared ports",
    check: (objects) =>
      deployments(objects).flatMap((o) =>
        (podSpec(o).containers ?? []).flatMap((c: Any) => {
          const ports: Any[] = c.ports ?? [];
          return ['startupProbe', 'livenessProbe', 'readinessProbe'].flatMap((p) => {
            const port = c[p]?.httpGet?.port ?? c[p]?.tcpSocket?.port;
            if (port === undefined) return [];
            const known = ports.some((x) => x.name === port || x.containerPort === port);
            return known ? [] : [`${describe(o)} container ${c.name}: ${p} uses port ${port}, which the container does not declare`];
          });
        }),
      ),
  },
  {
    id: 'non-root',
    description: 'every container runs as a non-root user',
    check: (objects) =>
      forContainers(objects, (c, o) => {
        const merged = { ...podSpec(o).securityContext, ...c.securityContext };
        if (merged.runAsNonRoot !== true) return 'runAsNonRoot is not true';
        if (merged.runAsUser === undefined || merged.runAsUser === 0) return 'no non-zero runAsUser';
        return undefined;
      }),
  },
  {
    id: 'hardening',
    description: 'no privilege escalation, a read-only root filesystem and all capabilities dropped',
    check: (objects) =>
      forContainers(objects, (c) => {
        const s = c.securityContext ?? {};
        if (s.privileged === true) return 'privileged';
        if (s.allowPrivilegeEscalation !== false) return 'allowPrivilegeEscalation is not false';
        if (s.readOnlyRootFilesystem !== true) return 'readOnlyRootFilesystem is not true';
        if (!(s.capabilities?.drop ?? []).includes('ALL')) return 'capabilities do not drop ALL';
        return undefined;
      }),
  },
  {
    id: 'image-pinned',
    description: 'images are pinned: a tag other than latest, or a digest',
    check: (objects) =>
      forContainers(objects, (c) => {
        const image = String(c.image ?? '');
        if (image.includes('@sha256:')) return undefined;
        const tag = /:([^/:]+)$/.exec(image)?.[1];
        return !tag || tag === 'latest' ? `image "${image}" is not pinned (no tag, or latest)` : undefined;
      }),
  },
  {
    id: 'worker-scaledobject',
    description: 'every worker group Deployment has a KEDA ScaledObject',
    check: (objects) =>
      deployments(objects)
        .filter(isWorker)
        .filter((d) => autoscalerTargets(objects).get(d.metadata.name)?.kind !== 'ScaledObject')
        .map((d) => `${describe(d)}: no ScaledObject targets this worker group`),
  },
  {
    id: 'autoscaled-no-replicas',
    description: 'no replicas field on a Deployment an autoscaler owns (an upgrade would reset it)',
    check: (objects) =>
      deployments(objects)
        .filter((d) => autoscalerTargets(objects).has(d.metadata.name) && (d.spec as Any)?.replicas !== undefined)
        .map((d) => `${describe(d)}: sets replicas but ${autoscalerTargets(objects).get(d.metadata.name)!.kind} owns the count`),
  },
  {
    id: 'pdb',
    description: 'a PodDisruptionBudget only where more than one replica can run, selecting a workload, never blocking a drain',
    check: (objects) =>
      objects
        .filter((o) => o.kind === 'PodDisruptionBudget')
        .flatMap((pdb) => {
          const spec = pdb.spec as Any;
          const targets = deployments(objects).filter((d) => matches(spec?.selector?.matchLabels, podLabels(d)));
          if (targets.length === 0) return [`${describe(pdb)}: selects no Deployment`];
          return targets.flatMap((d) => {
            if (maxReplicas(d, objects) <= 1) return [`${describe(pdb)}: ${describe(d)} never runs more than one replica`];
            const min = minReplicas(d, objects);
            if (spec.minAvailable !== undefined && (typeof spec.minAvailable !== 'number' || spec.minAvailable >= min)) {
              return [`${describe(pdb)}: minAvailable ${spec.minAvailable} would block every eviction at ${min} replica(s); use maxUnavailable`];
            }
            return [];
          });
        }),
  },
  {
    id: 'labels',
    description: 'every object carries the Kubernetes recommended labels; pods too',
    check: (objects) =>
      objects.flatMap((o) => {
        const missing = (labels: Record<string, string> | undefined) => RECOMMENDED_LABELS.filter((l) => !labels?.[l]);
        const own = missing(o.metadata.labels);
        const pod = WORKLOAD_KINDS.has(o.kind) ? missing(podLabels(o)) : [];
        return [
          ...(own.length ? [`${describe(o)}: no label ${own.join(', ')}`] : []),
          ...(pod.length ? [`${describe(o)} pod template: no label ${pod.join(', ')}`] : []),
        ];
      }),
  },
  {
    id: 'rollout',
    description: 'Deployments roll 1 surge / 0 unavailable, with a preStop pause shorter than the grace period',
    check: (objects) =>
      deployments(objects).flatMap((d) => {
        const spec = d.spec as Any;
        const problems: string[] = [];
        const rolling = spec?.strategy?.rollingUpdate;
        if (spec?.strategy?.type !== 'RollingUpdate' || rolling?.maxSurge !== 1 || rolling?.maxUnavailable !== 0) {
          problems.push('strategy is not RollingUpdate with maxSurge 1, maxUnavailable 0');
        }
        const grace = podSpec(d).terminationGracePeriodSeconds ?? 30;
        for (const c of podSpec(d).containers ?? []) {
          const command: string[] = c.lifecycle?.preStop?.exec?.command ?? [];
          const pause = command[0] === 'sleep' ? Number(command[1]) : NaN;
          if (!Number.isFinite(pause)) problems.push(`container ${c.name} has no preStop sleep`);
          else if (grace < pause + 30) problems.push(`grace period ${grace} s leaves less than 30 s after the ${pause} s preStop pause`);
        }
        return problems.map((p) => `${describe(d)}: ${p}`);
      }),
  },
  {
    id: 'config-checksum',
    description: 'pods that read the ConfigMap or Secret roll when it changes (checksum annotations)',
    check: (objects) =>
      deployments(objects).flatMap((d) => {
        const annotations = (d.spec as Any)?.template?.metadata?.annotations ?? {};
        const sources = containersOf(d).flatMap((c) => c.envFrom ?? []);
        const problems: string[] = [];
        if (sources.some((s: Any) => s.configMapRef) && !annotations['checksum/config']) problems.push('reads a ConfigMap without a checksum/config annotation');
        if (sources.some((s: Any) => s.secretRef) && !annotations['checksum/secret']) problems.push('reads a Secret without a checksum/secret annotation');
        return problems.map((p) => `${describe(d)}: ${p}`);
      }),
  },
  {
    id: 'keda-http',
    description: 'rabbitmq triggers use protocol http (unacked deliveries count) and an existing TriggerAuthentication',
    check: (objects) =>
      objects
        .filter((o) => o.kind === 'ScaledObject')
        .flatMap((so) =>
          ((so.spec as Any)?.triggers ?? []).flatMap((t: Any) => {
            if (t.type !== 'rabbitmq') return [];
            const problems: string[] = [];
            if (t.metadata?.protocol !== 'http') problems.push(`trigger on ${t.metadata?.queueName}: protocol is not http (amqp counts ready messages only)`);
            const auth = t.authenticationRef?.name;
            if (!auth || !objects.some((o) => o.kind === 'TriggerAuthentication' && o.metadata.name === auth)) {
              problems.push(`trigger on ${t.metadata?.queueName}: no TriggerAuthentication "${auth ?? ''}" in the release`);
            }
            if (t.metadata?.host) problems.push(`trigger on ${t.metadata?.queueName}: host in plain metadata (credentials belong in the Secret)`);
            return problems.map((p) => `${describe(so)}: ${p}`);
          }),
        ),
  },
  {
    id: 'migration-job',
    description: 'Jobs are pre-install/pre-upgrade hooks named with the revision, with a deadline and a retry limit',
    check: (objects) =>
      objects
        .filter((o) => o.kind === 'Job')
        .flatMap((job) => {
          const hook = job.metadata.annotations?.['helm.sh/hook'] ?? '';
          const spec = job.spec as Any;
          const problems: string[] = [];
          if (!hook.includes('pre-install') || !hook.includes('pre-upgrade')) problems.push('not a pre-install,pre-upgrade hook');
          if (!/-\d+$/.test(job.metadata.name)) problems.push('name does not end with the release revision');
          if (typeof spec?.activeDeadlineSeconds !== 'number') problems.push('no activeDeadlineSeconds');
          if (typeof spec?.backoffLimit !== 'number') problems.push('no backoffLimit');
          return problems.map((p) => `${describe(job)}: ${p}`);
        }),
  },
  {
    id: 'secrets-not-in-configmaps',
    description: 'credentials and connection URLs live in Secrets, never in ConfigMaps or plain env',
    check: (objects) => [
      ...objects
        .filter((o) => o.kind === 'ConfigMap')
        .flatMap((cm) => Object.keys((cm.data as Record<string, string>) ?? {}).filter((k) => SECRET_KEY.test(k)).map((k) => `${describe(cm)}: ${k} belongs in a Secret`)),
      ...forContainers(objects, (c) => {
        const plain = (c.env ?? []).filter((e: Any) => SECRET_KEY.test(e.name) && e.value !== undefined).map((e: Any) => e.name);
        return plain.length ? `${plain.join(', ')} given as plain env values` : undefined;
      }),
    ],
  },
  {
    id: 'network-policy',
    description: 'when the release has NetworkPolicies, every workload is selected by one with Ingress and Egress',
    check: (objects) => {
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
      if (policies.length === 0) return [];
      return workloads(objects)
        .filter(
          (w) =>
            !policies.some((p) => {
              const spec = p.spec as Any;
              return matches(spec?.podSelector?.matchLabels, podLabels(w)) && ['Ingress', 'Egress'].every((t) => spec.policyTypes?.includes(t));
            }),
        )
        .map((w) => `${describe(w)}: no NetworkPolicy restricts both its ingress and egress`);
    },
  },
];

export function runRules(objects: K8sObject[], rules: Rule[] = RULES): string[] {
  return rules.flatMap((rule) => rule.check(objects).map((problem) => `[${rule.id}] ${problem}`));
}
