// One chain as Kubernetes objects: a Deployment of worker pods (one chain replica per pod) and a Service
// that Prometheus scrapes for the worker's metrics.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { Chain, Plan } from '../../plan/types.js';
import type { NodeSpec } from '../../topology/schema.js';
import { APP_DIR, CA_DIR, METRICS_PORT, PLAN_DIR, WORKER_COMMAND, workerArgs, workloadName, type ChainResources } from '../manifest-common.js';
import { nodeSelectorFor, tolerationsFor } from './scheduling.js';
import { KAFKA_USER_DIR } from './strimzi.js';

export interface WorkloadInput {
  plan: Plan;
  chain: Chain;
  node: NodeSpec;
  namespace: string;
  image: string;
  resources: ChainResources;
  configMap: string;
  /** Hash of the mounted plan: a changed plan changes the pod template, so pods roll. */
  planHash: string;
  /** TIERFLOW_BROKERS, overriding the plan's brokers; absent: the plan's own. */
  brokers?: string[];
  /** Secret holding the backbone credentials, and the env names the plan references. */
  credentials?: { secret: string; names: string[] };
  /** Secret holding `ca.pem`, mounted at CA_DIR, when the plan verifies brokers against its own CA. */
  caSecret?: string;
  /** Least privilege: the node's Strimzi KafkaUser, whose Secret (same name) is mounted in this node's pods only. */
  kafkaUser?: string;
  /** Keys of the plan ConfigMap this chain's pods see: plan.json and only the files its operators name. */
  planItems?: string[];
}

export function chainLabels(plan: Plan, chain: Chain): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'tierflow',
    'app.kubernetes.io/instance': workloadName(plan, chain),
    'app.kubernetes.io/part-of': plan.topology,
    'app.kubernetes.io/managed-by': 'tierflow',
  };
}

/** Label values hold at most 63 characters of [A-Za-z0-9._-]; chain ids (`decode.cam-node-1`) fit that. */
function labelValue(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
}

const scrapeAnnotations = {
  'prometheus.io/scrape': 'true',
  'prometheus.io/port': String(METRICS_PORT),
  'prometheus.io/path': '/metrics',
};

function probe(path: string, periodSeconds: number, failureThreshold: number): IProbe {
  return { httpGet: { path, port: 'metrics' }, periodSeconds, failureThreshold, timeoutSeconds: 2 };
}

function env(input: WorkloadInput): IEnvVar[] {
  const vars: IEnvVar[] = [];
  if (input.brokers) vars.push({ name: 'TIERFLOW_BROKERS', value: input.brokers.join(',') });
  for (const name of input.credentials?.names ?? []) {
    vars.push({ name, valueFrom: { secretKeyRef: { name: input.credentials!.secret, key: name } } });
  }
  return vars;
}

export function chainDeployment(input: WorkloadInput): IDeployment {
  const { plan, chain, resources } = input;
  const name = workloadName(plan, chain);
  const labels = chainLabels(plan, chain);
  const cpu = resources.cpuMillis;
  const memory = resources.memoryMiB;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: input.namespace,
      labels: { ...labels, 'tierflow.dev/chain': labelValue(chain.id), 'tierflow.dev/tier': labelValue(chain.tier) },
      annotations: { 'tierflow.dev/operators': chain.operators.join(','), 'tierflow.dev/chain-id': chain.id },
    },
    spec: {
      replicas: chain.replicas,
      selector: { matchLabels: labels },
      // A chain that reads cameras must not have two generations of pods pulling the same stream at once.
      strategy: chain.sources.length > 0 ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels, annotations: { ...scrapeAnnotations, 'tierflow.dev/plan-sha256': input.planHash } },
        spec: {
          nodeSelector: nodeSelectorFor(input.node, chain),
          tolerations: tolerationsFor(plan, chain),
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
          // Consumers leave their group on SIGTERM; give the final flush time before the kill.
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: 'worker',
              image: input.image,
              imagePullPolicy: 'IfNotPresent',
              workingDir: APP_DIR,
              command: [...WORKER_COMMAND],
              args: [...workerArgs(chain), ...(input.kafkaUser ? ['--credential', KAFKA_USER_DIR] : [])],
              ports: [{ name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' }],
              env: env(input),
              resources: {
                requests: { cpu: `${cpu}m`, memory: `${memory}Mi` },
                // CPU may burst to twice the nominal rate between batches; memory gets half again for onnxruntime's
                // arenas, since an OOM kill loses a whole batch while throttling only slows it.
                limits: { cpu: `${cpu * 2}m`, memory: `${Math.ceil(memory * 1.5)}Mi` },
              },
              // Models load before the worker is healthy; the startup probe covers that without a long liveness delay.
              startupProbe: probe('/healthz', 2, 60),
              livenessProbe: probe('/healthz', 10, 3),
              readinessProbe: probe('/readyz', 5, 2),
              volumeMounts: [
                { name: 'plan', mountPath: PLAN_DIR, readOnly: true },
                ...(input.caSecret ? [{ name: 'kafka-ca', mountPath: CA_DIR, readOnly: true }] : []),
                ...(input.kafkaUser ? [{ name: 'kafka-user', mountPath: KAFKA_USER_DIR, readOnly: true }] : []),
              ],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
          volumes: [
            { name: 'plan', configMap: { name: input.configMap, ...(input.planItems ? { items: input.planItems.map((key) => ({ key, path: key })) } : {}) } },
            ...(input.caSecret ? [{ name: 'kafka-ca', secret: { secretName: input.caSecret, items: [{ key: 'ca.pem', path: 'ca.pem' }] } }] : []),
            ...(input.kafkaUser
              ? [{ name: 'kafka-user', secret: { secretName: input.kafkaUser, defaultMode: 0o400, items: [{ key: 'password', path: 'password' }, { key: 'sasl.jaas.config', path: 'sasl.jaas.config' }] } }]
              : []),
          ],
        },
      },
    },
  };
}

export function chainService(input: WorkloadInput): IService {
  const { plan, chain } = input;
  const labels = chainLabels(plan, chain);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: workloadName(plan, chain),
      namespace: input.namespace,
      labels: { ...labels, 'tierflow.dev/chain': labelValue(chain.id) },
      annotations: scrapeAnnotations,
    },
    spec: {
      type: 'ClusterIP',
      selector: labels,
      ports: [{ name: 'metrics', port: METRICS_PORT, targetPort: 'metrics', protocol: 'TCP' }],
    },
  };
}
