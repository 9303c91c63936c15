// A plan as one compose file for a single Docker host: Redpanda (one node, dev mode), a one-shot service
// that creates the planned topics, and one service per chain (replicas via deploy.replicas). Pure.
import { Document } from 'yaml';
import { OPERATORS } from '../../../operators/index.js';
import type { AnyOperatorDefinition } from '../../operator.js';
import type { Plan, PlannedTopic } from '../../plan/types.js';
import { APP_DIR, METRICS_PORT, PLAN_DIR, PLAN_PATH, WORKER_COMMAND, chainResources, workerArgs, workloadName } from '../manifest-common.js';

export const REDPANDA_IMAGE = 'docker.redpanda.com/redpandadata/redpanda:v24.2.7';
/** Workers reach Redpanda on the compose network; the host on 127.0.0.1:19092. */
export const COMPOSE_BROKER = 'redpanda:9092';
const HOST_KAFKA_PORT = 19092;

export interface ComposeOptions {
  /** Worker image built from the repository's Dockerfile, e.g. tierflow:dev. */
  image: string;
  redpandaImage?: string;
  /** Extra files mounted beside plan.json (e.g. gallery.json), by file name; written next to the compose file. */
  files?: Record<string, string>;
  operators?: readonly AnyOperatorDefinition[];
}

/** The plan as compose workers see it: the stack brings its own broker, so the topology's brokers and
 *  credentials (meant for a real cluster) are replaced by the local Redpanda. */
export function planForCompose(plan: Plan): Plan {
  return { ...plan, backbone: { type: 'kafka', brokers: [COMPOSE_BROKER] } };
}

function redpandaService(image: string): Record<string, unknown> {
  return {
    image,
    command: [
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
    ],
    ports: [`127.0.0.1:${HOST_KAFKA_PORT}:${HOST_KAFKA_PORT}`],
    healthcheck: { test: ['CMD', 'rpk', 'cluster', 'health', '--exit-when-healthy'], interval: '2s', timeout: '5s', retries: 30 },
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
    const rpk = `rpk topic -X brokers=${COMPOSE_BROKER}`;
    // 'producer' keeps what producers send: lz4 topics get lz4 batches, JPEG frames stay uncompressed.
    lines.push(`${rpk} describe ${t.name} >/dev/null 2>&1 || ${rpk} create ${t.name} -p ${t.partitions} -c compression.type=producer`);
  }
  return lines.join('\n');
}

export function renderCompose(plan: Plan, opts: ComposeOptions): Record<string, unknown> {
  const operators = opts.operators ?? OPERATORS;
  const redpandaImage = opts.redpandaImage ?? REDPANDA_IMAGE;
  const mounts = [`./plan.json:${PLAN_PATH}:ro`, ...Object.keys(opts.files ?? {}).sort().map((f) => `./${f}:${PLAN_DIR}/${f}:ro`)];
  const services: Record<string, unknown> = {
    redpanda: redpandaService(redpandaImage),
    topics: {
      image: redpandaImage,
      entrypoint: ['/bin/sh', '-c'],
      command: [topicScript(plan.topics)],
      depends_on: { redpanda: { condition: 'service_healthy' } },
    },
  };
  for (const chain of plan.chains) {
    const r = chainResources(plan, chain, operators);
    services[workloadName(plan, chain)] = {
      image: opts.image,
      working_dir: APP_DIR,
      entrypoint: [...WORKER_COMMAND],
      command: workerArgs(chain),
      environment: { TIERFLOW_BROKERS: COMPOSE_BROKER },
      volumes: mounts,
      depends_on: { topics: { condition: 'service_completed_successfully' } },
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
  return { name: `tierflow-${plan.topology}`, services, volumes: { 'redpanda-data': {} } };
}

function cpus(millis: number): string {
  return String(millis / 1000);
}

export function composeYaml(plan: Plan, opts: ComposeOptions): string {
  const header = [
    '# Generated by tierflow deploy --target compose: Redpanda and one service per chain of the plan.',
    '# docker compose -f <this file> up -d --wait; Kafka is on 127.0.0.1:19092 for tools on the host.',
  ];
  return `${header.join('\n')}\n${new Document(renderCompose(plan, opts), { aliasDuplicateObjects: false }).toString({ lineWidth: 0 })}`;
}
