// What every packaged deploy target (Kubernetes, compose) derives the same way from a plan: workload names,
// the worker command line, per-chain resources from the operator definitions, and the secrets a plan needs.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { TierflowError } from '../errors.js';
import { ENV_REF_PATTERN } from '../topology/schema.js';
import type { AnyOperatorDefinition } from '../operator.js';
import type { Chain, Plan } from '../plan/types.js';

/** Folder the plan (and files beside it, e.g. a gallery) is mounted at inside a worker container. */
export const PLAN_DIR = '/etc/tierflow';
export const PLAN_PATH = `${PLAN_DIR}/plan.json`;
/** Where pods find the CA that signed the brokers' certificates (a Secret the user creates), when the plan uses TLS. */
export const CA_DIR = '/etc/tierflow-ca';
export const CA_PATH = `${CA_DIR}/ca.pem`;
export const METRICS_PORT = 9464;
/** The image's working directory and CLI; manifests name them explicitly rather than trust the ENTRYPOINT. */
export const APP_DIR = '/app';
export const WORKER_COMMAND = ['node', 'dist/pipelines/cli/main.js'] as const;

/** Kubernetes Service names are DNS-1035 labels: [a-z0-9-], a letter first, at most 63 characters. */
const MAX_NAME = 63;

/** A DNS-1035 label from free text: `tf-face-gateway-decode-cam-node-1`; long names keep a hash suffix. */
export function dnsLabel(...parts: string[]): string {
  const raw = parts.join('-');
  let name = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(name)) name = `tf-${name}`;
  if (name.length > MAX_NAME) {
    // Truncation alone could make two chains collide; the hash of the full name keeps them apart.
    const hash = createHash('sha256').update(raw).digest('hex').slice(0, 8);
    name = `${name.slice(0, MAX_NAME - 9).replace(/-+$/, '')}-${hash}`;
  }
  return name;
}

/** `tf-<topology>-<chain-id>`, the name of a chain's Deployment, Service and compose service. */
export function workloadName(plan: Plan, chain: Chain): string {
  return dnsLabel('tf', plan.topology, chain.id);
}

/** The worker process of one chain, exactly as the CLI defines it. */
export function workerArgs(chain: Chain): string[] {
  return [
    'worker',
    '--plan',
    PLAN_PATH,
    '--node',
    chain.node,
    '--chain',
    chain.id,
    '--metrics-host',
    '0.0.0.0',
    '--metrics-port',
    String(METRICS_PORT),
  ];
}

export interface ChainResources {
  /** Requested CPU in millicores: the sum of the chain's operators' nominal cores. */
  cpuMillis: number;
  /** Requested memory in MiB: the sum of the chain's operators' resident memory. */
  memoryMiB: number;
}

/** Sums the operator definitions of a chain; `uses` comes from the plan's placements. */
export function chainResources(plan: Plan, chain: Chain, operators: readonly AnyOperatorDefinition[]): ChainResources {
  let cpu = 0;
  let memoryMiB = 0;
  for (const flowId of chain.operators) {
    const def = operatorOf(plan, flowId, operators);
    cpu += def.resources.cpu;
    memoryMiB += def.resources.memoryMB;
  }
  // At least 10m: a zero request would let the scheduler pack pods onto a node without bound.
  return { cpuMillis: Math.max(10, Math.ceil(cpu * 1000)), memoryMiB: Math.ceil(memoryMiB) };
}

export function operatorOf(plan: Plan, flowId: string, operators: readonly AnyOperatorDefinition[]): AnyOperatorDefinition {
  const uses = plan.placements.find((p) => p.operator === flowId)?.uses;
  const [name, version] = (uses ?? '').split('@');
  const def = operators.find((op) => op.name === name && op.version === Number(version));
  if (!def) throw new TierflowError('INTERNAL', `tierflow: plan has no known operator for flow '${flowId}' (uses ${uses ?? 'nothing'})`);
  return def;
}

/** Environment variables the plan's backbone credentials reference as `${env:NAME}`, sorted. */
export function secretEnvNames(plan: Plan): string[] {
  if (plan.backbone.type !== 'kafka' || !plan.backbone.security) return [];
  const { username, password } = plan.backbone.security;
  const pattern = new RegExp(ENV_REF_PATTERN);
  return [username, password]
    .filter((v): v is string => v !== undefined && pattern.test(v))
    .map((v) => v.slice('${env:'.length, -1))
    .filter((v, i, all) => all.indexOf(v) === i)
    .sort();
}

/** True when the plan's Kafka connection verifies brokers against a CA file of its own. */
export function usesCaFile(plan: Plan): boolean {
  return plan.backbone.type === 'kafka' && plan.backbone.security?.caFile !== undefined;
}

/**
 * The plan as a container sees it: relative paths in config (a gallery) resolve against the mounted folder, and a
 * CA file (a path on the planning machine, or an env reference no pod defines) is the mounted one.
 */
export function planForContainer(plan: Plan): Plan {
  const file = posix.join(PLAN_DIR, posix.basename(plan.file.replaceAll('\\', '/')) || 'topology.yaml');
  if (!usesCaFile(plan) || plan.backbone.type !== 'kafka') return { ...plan, file };
  return { ...plan, file, backbone: { ...plan.backbone, security: { ...plan.backbone.security!, caFile: CA_PATH } } };
}

/** The mounted plan.json: the plan's own (deterministic) key order, so the same plan gives the same bytes. */
export function planJson(plan: Plan): string {
  return `${JSON.stringify(planForContainer(plan), null, 2)}\n`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The mounted files (a gallery, say) that these operators' configs name: a camera's pods never see the gallery. */
export function filesUsedBy(plan: Plan, operators: string[], files: string[]): string[] {
  const named = new Set(operators.flatMap((op) => Object.values(plan.configs[op] ?? {}).filter((v): v is string => typeof v === 'string').map((v) => v.split('/').at(-1)!)));
  return files.filter((f) => named.has(f));
}
