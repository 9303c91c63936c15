// What `tierflow status` shows of a local deploy: each worker's /status and /metrics (consumer lag), merged
// with what the supervisor recorded (pid, restarts). A worker that does not answer shows as down.
import type { Plan } from '../../plan/types.js';
import type { Priority } from '../../topology/schema.js';
import type { MirrorState } from './mirrors.js';
import { kafkaAnswers, mirrorBacklog, type MirrorBacklog } from './mirror-backlog.js';
import type { OperatorSnapshot } from '../../runtime/metrics.js';
import { alive, readDesired, readJson, type ControllerDecision, type DeployPaths, type MigrationRecord, type MigrationState, type SupervisorState, type WorkerState } from './state.js';

export interface SourceRow {
  source: string;
  state: string;
  since: number;
  detail?: string;
}

export interface ProcessRow {
  id: string;
  node: string;
  chain?: string;
  pid: number | null;
  /** 'up' when its endpoint answered; otherwise what the supervisor knows ('starting', 'backoff', 'down'), and
   *  'oom-killed' while a container that hit its memory limit waits out its backoff. */
  state: string;
  restarts: number;
  uptimeSec: number | null;
  metrics?: string;
  lastExit?: WorkerState['lastExit'];
  container?: WorkerState['container'];
  operators: OperatorSnapshot[];
  sources: SourceRow[];
  /** Consumer lag by chain id, then `topic/partition`. */
  lag: Record<string, Record<string, number>>;
  /** A migration's warm standby (state 'warming' or 'warm' until its switch). */
  standby?: boolean;
}

export interface OperatorRow {
  operator: string;
  chain: string;
  node: string;
  replicas: number;
  recordsIn: number;
  recordsOut: number;
  fps: number;
  lag: number;
  dropped: number;
  /** Its flow's priority (its chain's): frames of lower priorities are shed first where chains share a worker. */
  priority: Priority;
}

export interface DeployStatus {
  topology: string;
  supervisor: { pid: number | null; up: boolean };
  processes: ProcessRow[];
  operators: OperatorRow[];
  sources: Array<SourceRow & { node: string }>;
  /** The latest migration as the supervisor saw it (phase, times), and the ones done. */
  migration?: MigrationState;
  migrations: MigrationRecord[];
  /** The adaptive controller's latest decisions (deploy --adaptive). */
  decisions: ControllerDecision[];
  /** MirrorMaker 2 per site (a topology with sites), and whether its WAN to the central cluster answers. */
  mirrors: MirrorRow[];
}

export interface MirrorRow extends MirrorState {
  /** The clusters it consumes from across the WAN, and whether they answer a metadata request within 2 s. */
  wan: { brokers: string[]; up: boolean };
  /** The cluster it writes to (its site's), and whether it answers so. */
  cluster: { brokers: string[]; up: boolean };
  /** Records at its sources not yet in its site's cluster (see mirror-backlog.ts); null when a source does not answer. */
  backlog: MirrorBacklog | null;
}

async function mirrorRows(paths: DeployPaths, plan: Plan, state: SupervisorState | null): Promise<MirrorRow[]> {
  return Promise.all(
    (state?.mirrors ?? []).map(async (m) => {
      const brokers = plan.sites?.find((s) => s.name === m.site)?.brokers ?? [];
      const [wan, cluster, backlog] = await Promise.all([kafkaAnswers(m.remote), kafkaAnswers(brokers), mirrorBacklog(paths, plan, m.site)]);
      return { ...m, wan: { brokers: m.remote, up: wan }, cluster: { brokers, up: cluster }, backlog };
    }),
  );
}

/** `tierflow_consumer_lag` by chain id (replica suffix `#n` dropped), then by `topic/partition`, from a Prometheus page.
 *  Every member of a group reports every partition, so callers merge per partition rather than add. */
export function lagByChain(metrics: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const line of metrics.split('\n')) {
    const m = /^tierflow_consumer_lag\{([^}]*)\}\s+([0-9.eE+-]+)/.exec(line);
    if (!m) continue;
    const label = (k: string) => new RegExp(`${k}="([^"#]*)`).exec(m[1]!)?.[1] ?? '';
    (out[label('chain')] ??= {})[`${label('topic')}/${label('partition')}`] = Number(m[2]);
  }
  return out;
}

/** Lag of one chain across processes: the largest report of each partition, summed. */
export function chainLag(processes: Array<Pick<ProcessRow, 'lag'>>, chain: string): number {
  const merged: Record<string, number> = {};
  for (const p of processes) for (const [part, n] of Object.entries(p.lag[chain] ?? {})) merged[part] = Math.max(merged[part] ?? 0, n);
  return Object.values(merged).reduce((a, b) => a + b, 0);
}

/** A worker endpoint's body, or null when it does not answer (1.5 s). */
export async function fetchText(url: string): Promise<string | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1500) });
    return res.ok ? await res.text() : null;
  } catch {
    return null;
  }
}

async function probe(w: WorkerState): Promise<ProcessRow> {
  const phase = w.phase === 'backoff' && w.lastExit?.oomKilled ? 'oom-killed' : w.phase;
  const base: ProcessRow = { id: w.id, node: w.node, chain: w.chain, pid: w.container?.pid ?? w.pid, container: w.container, state: w.phase === 'ready' ? 'down' : phase, restarts: w.restarts, uptimeSec: null, metrics: w.metrics, lastExit: w.lastExit, operators: [], sources: [], lag: {}, ...(w.standby ? { standby: true } : {}) };
  if (!w.status || !w.metrics || w.phase !== 'ready') return base;
  const [statusText, metricsText] = await Promise.all([fetchText(w.status), fetchText(w.metrics)]);
  if (statusText === null) return base;
  const s = JSON.parse(statusText) as { healthy: boolean; uptimeSec: number; operators: OperatorSnapshot[]; sources: SourceRow[] };
  return { ...base, state: s.healthy ? 'up' : 'failed', uptimeSec: s.uptimeSec, operators: s.operators, sources: s.sources, lag: metricsText ? lagByChain(metricsText) : {} };
}

/** Per operator across processes: counts and rates add up, replicas come from the plan and the scaled processes. */
export function operatorRows(plan: Plan, processes: ProcessRow[], replicas: Record<string, number>): OperatorRow[] {
  const rows: OperatorRow[] = [];
  for (const chain of plan.chains) {
    const lag = chainLag(processes, chain.id);
    for (const operator of chain.operators) {
      const snaps = processes.filter((p) => p.node === chain.node).flatMap((p) => p.operators.filter((o) => o.operator === operator));
      const sum = (k: 'recordsIn' | 'recordsOut' | 'fps' | 'dropped') => snaps.reduce((n, o) => n + o[k], 0);
      rows.push({ operator, chain: chain.id, node: chain.node, replicas: replicas[chain.id] ?? chain.replicas, recordsIn: sum('recordsIn'), recordsOut: sum('recordsOut'), fps: Math.round(sum('fps') * 10) / 10, lag, dropped: sum('dropped'), priority: chain.priority });
    }
  }
  return rows;
}

export async function collectStatus(paths: DeployPaths): Promise<DeployStatus> {
  const desired = readDesired(paths);
  const plan = readJson<Plan>(paths.plan)!;
  const state = readJson<SupervisorState>(paths.state);
  const processes = await Promise.all((state?.workers ?? []).map(probe));
  return {
    topology: desired.topology,
    supervisor: { pid: state?.supervisorPid ?? null, up: alive(state?.supervisorPid) },
    processes,
    operators: operatorRows(plan, processes, desired.replicas),
    sources: processes.flatMap((p) => p.sources.map((s) => ({ ...s, node: p.node }))),
    ...(state?.migration ? { migration: state.migration } : {}),
    migrations: desired.migrations ?? [],
    decisions: state?.decisions ?? [],
    mirrors: await mirrorRows(paths, plan, state),
  };
}
