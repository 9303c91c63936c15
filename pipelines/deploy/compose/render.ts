// A plan as one compose file for a single Docker host: Redpanda (one node, dev mode, SASL/SCRAM and authorization
// on), a one-shot service that creates the planned topics, one that creates each node's user and ACLs (access.ts),
// and one service per chain (replicas via deploy.replicas) with only its node's credential. A plan with sites has
// a cluster per site, the topology's own: no Redpanda then, each chain uses its site's cluster, and a MirrorMaker 2
// service per receiving site carries the topics between them (mirrors.ts). Pure.
import { Document } from 'yaml';
import { registry } from '../../registry.js';
import type { AnyOperatorDefinition } from '../../operator.js';
import type { Plan, PlannedTopic } from '../../plan/types.js';
import { ADMIN_MECHANISM, ADMIN_PASS, ADMIN_SECRET, ADMIN_USER, NODE_MECHANISM, SECRETS_DIR, accessScript, adminRpkFlags, nodeSecretName, secretPath } from './access.js';
import { planAccess } from '../../plan/access.js';
import { APP_DIR, METRICS_PORT, PLAN_DIR, PLAN_PATH, WORKER_COMMAND, chainResources, filesUsedBy, workerArgs, workloadName } from '../manifest-common.js';
import { composeMirrors } from './mirrors.js';

export const REDPANDA_IMAGE = 'docker.redpanda.com/redpandadata/redpanda:v24.2.7';
/** Workers reach Redpanda on the compose network; the host on 127.0.0.1:19092. */
export const COMPOSE_BROKER = 'redpanda:9092';
/** Redpanda's Admin API (users are created there); it requires the super user's basic auth. */
export const COMPOSE_ADMIN_API = 'redpanda:9644';
const HOST_KAFKA_PORT = 19092;

export interface ComposeOptions {
  /** Worker image built from the repository's Dockerfile, e.g. tierflow:dev. */
  image: string;
  redpandaImage?: string;
  /** Extra files mounted beside plan.json (e.g. gallery.json), by file name; written next to the compose file. */
  files?: Record<string, string>;
  operators?: readonly AnyOperatorDefinition[];
  /** `uid:gid` the workers run as, so they can read their 0600 secret file (compose bind-mounts it with the host's
   *  owner and mode); unset: the image's user, who then owns the files (write.ts arranges it). */
  workerUser?: string;
  /** Each node's arch (the topology's): a worker runs the multi-arch image's platform of its node. */
  nodeArch?: Record<string, string>;
}

/** Whether the stack brings its own broker: not for sites, whose clusters (one each, which MirrorMaker 2 connects)
 *  are the topology's; validate has refused sites with security, so the workers there have no credentials. */
export function composeRunsBroker(plan: Plan): boolean {
  return !plan.sites;
}

/** The plan as compose workers see it: the stack brings its own broker, so the topology's brokers and
 *  credentials (meant for a real cluster) are replaced by the local Redpanda; each worker's user and password
 *  come from its node's secret (`--credential`). With sites, the plan as it is. */
export function planForCompose(plan: Plan): Plan {
  if (!composeRunsBroker(plan)) return plan;
  return { ...plan, backbone: { type: 'kafka', brokers: [COMPOSE_BROKER], security: { protocol: 'SASL_PLAINTEXT', mechanism: NODE_MECHANISM } } };
}

/** The brokers a chain's workers use: the stack's Redpanda, or with sites the cluster of the node's site. */
function chainBrokers(plan: Plan, node: string): string {
  if (composeRunsBroker(plan)) return COMPOSE_BROKER;
  return (plan.nodeBrokers?.[node] ?? (plan.backbone.type === 'kafka' ? plan.backbone.brokers : [])).join(',');
}

/** The provisioning services read 0600 secret files owned by the host user: they run as the container's root. */
const PROVISIONER_USER = '0:0';

function redpandaService(image: string): Record<string, unknown> {
  const start = [
      'redpanda',
      'start',
      '--mode=dev-container',
      '--smp=1',
      '--memory=1G',
      '--overprovisioned',
      `--kafka-addr=internal://0.0.0.0:9092,external://0.0.0.0:${HOST_KAFKA_PORT}`,
      `--advertise-kafka-addr=internal://${COMPOSE_BROKER},external://127.0.0.1:${HOST_KAFKA_PORT}`,
      // Frame batches are large; tierflow provisions its topics, so typos never create one silently.
      '--set=redpanda.kafka_batch_max_bytes=16777216',
      '--set=redpanda.auto_create_topics_enabled=false',
      // SASL on every Kafka listener with authorization; the Admin API (users, config) needs the super user too,
      // or any container on the network could make itself one.
      '--set=redpanda.enable_sasl=true',
      `'--set=redpanda.superusers=["${ADMIN_USER}"]'`,
      '--set=redpanda.admin_api_require_auth=true',
    ];
  return {
    image,
    user: PROVISIONER_USER,
    entrypoint: ['/bin/sh', '-c'],
    // RP_BOOTSTRAP_USER creates the super user on the first start, from its secret (never in this file).
    command: [`RP_BOOTSTRAP_USER="${ADMIN_USER}:$$(cat ${secretPath(ADMIN_SECRET)})" exec /entrypoint.sh ${start.join(' ')}`],
    secrets: [ADMIN_SECRET],
    ports: [`127.0.0.1:${HOST_KAFKA_PORT}:${HOST_KAFKA_PORT}`],
    healthcheck: { test: ['CMD-SHELL', `rpk cluster health --exit-when-healthy -X user=${ADMIN_USER} -X pass=${ADMIN_PASS} -X sasl.mechanism=${ADMIN_MECHANISM}`], interval: '2s', timeout: '5s', retries: 30 },
    volumes: ['redpanda-data:/var/lib/redpanda/data'],
  };
}

/** Creates each planned topic unless it exists, so `compose up` after a redeploy keeps the data. */
export function topicScript(topics: readonly PlannedTopic[]): string {
  const seen = new Set<string>();
  const lines = ['set -e'];
  for (const t of topics) {
    if (seen.has(t.name)) continue;
    seen.add(t.name);
    const rpk = `rpk topic ${adminRpkFlags(COMPOSE_BROKER, COMPOSE_ADMIN_API)}`;
    // 'producer' keeps what producers send: lz4 topics get lz4 batches, JPEG frames stay uncompressed.
    lines.push(`${rpk} describe ${t.name} >/dev/null 2>&1 || ${rpk} create ${t.name} -p ${t.partitions} -c compression.type=producer${t.kind === 'changelog' || t.kind === 'table' ? ' -c cleanup.policy=compact' : ''}`);
  }
  return lines.join('\n');
}

export function renderCompose(plan: Plan, opts: ComposeOptions): Record<string, unknown> {
  const operators = opts.operators ?? registry().operators;
  const ownBroker = composeRunsBroker(plan);
  const stack = ownBroker ? brokerStack(plan, opts.redpandaImage ?? REDPANDA_IMAGE) : null;
  const services: Record<string, unknown> = { ...stack?.services };
  // Each service mounts the plan and only the files its operators name: a camera's service never gets the gallery.
  const mountsOf = (chain: Plan['chains'][number]) => [`./plan.json:${PLAN_PATH}:ro`, ...filesUsedBy(plan, chain.operators, Object.keys(opts.files ?? {}).sort()).map((f) => `./${f}:${PLAN_DIR}/${f}:ro`)];
  for (const chain of plan.chains) {
    const r = chainResources(plan, chain, operators);
    services[workloadName(plan, chain)] = {
      image: opts.image,
      ...(opts.nodeArch?.[chain.node] ? { platform: `linux/${opts.nodeArch[chain.node]}` } : {}),
      working_dir: APP_DIR,
      entrypoint: [...WORKER_COMMAND],
      ...(opts.workerUser ? { user: opts.workerUser } : {}),
      // Only its own node's credential: a stolen camera container holds nothing else.
      ...(ownBroker
        ? { command: [...workerArgs(chain), '--credential', secretPath(nodeSecretName(chain.node))], secrets: [nodeSecretName(chain.node)] }
        : { command: workerArgs(chain) }),
      environment: { TIERFLOW_BROKERS: chainBrokers(plan, chain.node) },
      volumes: mountsOf(chain),
      ...(ownBroker ? { depends_on: { access: { condition: 'service_completed_successfully' } } } : {}),
      restart: 'unless-stopped',
      labels: { 'tierflow.dev/chain': chain.id, 'tierflow.dev/node': chain.node, 'tierflow.dev/tier': chain.tier },
      // The image is node:20-slim without curl; Node's own fetch checks readiness.
      healthcheck: {
        test: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${METRICS_PORT}/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`],
        interval: '5s',
        timeout: '3s',
        retries: 3,
        start_period: '120s',
      },
      deploy: {
        replicas: chain.replicas,
        resources: {
          reservations: { cpus: cpus(r.cpuMillis), memory: `${r.memoryMiB}M` },
          limits: { cpus: cpus(r.cpuMillis * 2), memory: `${Math.ceil(r.memoryMiB * 1.5)}M` },
        },
      },
    };
  }
  for (const m of composeMirrors(plan)) services[m.service] = m.definition;
  return { name: `tierflow-${plan.topology}`, services, ...(stack ? { volumes: { 'redpanda-data': {} }, secrets: stack.secrets } : {}) };
}

/** Redpanda, the one-shot topics and access services, and the compose secrets they and the workers use. */
function brokerStack(plan: Plan, redpandaImage: string): { services: Record<string, unknown>; secrets: Record<string, { file: string }> } {
  const services: Record<string, unknown> = {
    redpanda: redpandaService(redpandaImage),
    topics: {
      image: redpandaImage,
      user: PROVISIONER_USER,
      entrypoint: ['/bin/sh', '-c'],
      command: [topicScript(plan.topics)],
      secrets: [ADMIN_SECRET],
      depends_on: { redpanda: { condition: 'service_healthy' } },
    },
  };
  const access = plan.access ?? planAccess(plan);
  const nodes = access.nodes;
  const secrets: Record<string, { file: string }> = { [ADMIN_SECRET]: { file: `./${SECRETS_DIR}/${ADMIN_SECRET}` } };
  for (const n of nodes) secrets[nodeSecretName(n.node)] = { file: `./${SECRETS_DIR}/${nodeSecretName(n.node)}.json` };
  // It must know every node's password to create the users; it runs once and exits.
  services['access'] = {
      image: redpandaImage,
      user: PROVISIONER_USER,
      entrypoint: ['/bin/sh', '-c'],
      command: [accessScript(access, COMPOSE_BROKER, COMPOSE_ADMIN_API)],
      secrets: [ADMIN_SECRET, ...nodes.map((n) => nodeSecretName(n.node))],
      depends_on: { topics: { condition: 'service_completed_successfully' } },
  };
  return { services, secrets };
}

function cpus(millis: number): string {
  return String(millis / 1000);
}

export function composeYaml(plan: Plan, opts: ComposeOptions): string {
  const header = composeRunsBroker(plan)
    ? [
        '# Generated by tierflow deploy --target compose: Redpanda and one service per chain of the plan.',
        '# docker compose -f <this file> up -d --wait; Kafka is on 127.0.0.1:19092 for tools on the host (SASL/SCRAM:',
        `# the super user ${ADMIN_USER} (${ADMIN_MECHANISM}), password in ${SECRETS_DIR}/${ADMIN_SECRET}; each node's credential in ${SECRETS_DIR}/).`,
      ]
    : [
        "# Generated by tierflow deploy --target compose: one service per chain of the plan on its site's cluster, and",
        '# a MirrorMaker 2 per site that receives topics (mirror-<site>, its mm2.properties beside this file), carrying:',
        ...(plan.mirrors ?? []).map((m) => `#   ${m.from} -> ${m.to}: ${m.topics.join(', ')}`),
        "# docker compose -f <this file> up -d --wait, on a host that reaches every site's brokers.",
      ];
  return `${header.join('\n')}\n${new Document(renderCompose(plan, opts), { aliasDuplicateObjects: false }).toString({ lineWidth: 0 })}`;
}
