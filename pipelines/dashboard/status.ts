// What the dashboard streams every second: per-operator live figures, camera states, nodes up or down. Two
// providers: the process's own worker (`tierflow run`), or the workers of a local deploy read over HTTP.
import type { Plan } from '../plan/types.js';
import { placementId } from './graph.js';
import type { Worker } from '../runtime/worker.js';
import type { SourceStatus } from '../runtime/worker.js';

export interface OperatorLive {
  operator: string;
  /** The node these figures are from; absent where one process runs every node (`tierflow run`): then they are
   *  the operator's over all its placements. */
  node?: string;
  fps: number;
  recordsIn: number;
  recordsOut: number;
  dropped: number;
  lag: number;
}

export interface NodeLive {
  name: string;
  up: boolean;
  detail?: string;
}

export interface LiveStatus {
  at: number;
  nodes: NodeLive[];
  operators: OperatorLive[];
  sources: SourceStatus[];
}

export type StatusProvider = () => Promise<LiveStatus>;

export function workerStatusProvider(plan: Plan, worker: () => Worker | null): StatusProvider {
  const nodes = [...new Set(plan.chains.map((c) => c.node))];
  return async () => {
    const w = worker();
    if (!w) return { at: Date.now(), nodes: nodes.map((name) => ({ name, up: false, detail: 'starting' })), operators: [], sources: [] };
    const lag = await w.lagByHead(500);
    const failed = w.failure();
    return {
      at: Date.now(),
      nodes: nodes.map((name) => ({ name, up: failed === null, ...(failed ? { detail: String(failed) } : {}) })),
      operators: w.metrics.snapshot().map((s) => ({ ...s, lag: lag.get(s.operator) ?? 0 })),
      sources: w.sources(),
    };
  };
}

interface WorkerStatusJson {
  healthy: boolean;
  operators: Array<Omit<OperatorLive, 'node'>>;
  sources: SourceStatus[];
}

/** A local deploy's workers, each asked for its /status; a worker that does not answer is its node down. */
export function deployStatusProvider(plan: Plan, endpoints: () => Array<{ node: string; status?: string }>, fetchFn: typeof fetch = fetch): StatusProvider {
  const nodes = [...new Set(plan.chains.map((c) => c.node))];
  return async () => {
    const known = endpoints();
    // A node may run several workers (replicas, chains in processes of their own): it is up when every one answers
    // healthy, and its figures are theirs added up.
    const answers = await Promise.all(
      nodes.map(async (name) => {
        const urls = known.filter((e) => e.node === name && e.status).map((e) => e.status!);
        if (urls.length === 0) return { name, up: false, detail: 'no worker running', statuses: [] };
        const replies = await Promise.all(
          urls.map(async (url) => {
            try {
              const res = await fetchFn(url, { signal: AbortSignal.timeout(1500) });
              return { url, status: (await res.json()) as WorkerStatusJson };
            } catch (e) {
              return { url, error: (e as Error).message };
            }
          }),
        );
        const statuses = replies.flatMap((r) => (r.status ? [r.status] : []));
        const problems = replies.flatMap((r) => (r.error !== undefined ? [`status ${r.url}: ${r.error}`] : r.status && !r.status.healthy ? [`${r.url}: not healthy`] : []));
        return { name, up: problems.length === 0, ...(problems.length ? { detail: problems.join('; ') } : {}), statuses };
      }),
    );
    // Figures per placement (operator@node). Rates and counts of a node's workers add up; lag does not: every member
    // of a consumer group reports the group's lag over all the topic's partitions, so the node's is the largest.
    const operators = new Map<string, OperatorLive>();
    for (const a of answers) {
      for (const o of a.statuses.flatMap((st) => st.operators)) {
        const key = placementId(o.operator, a.name);
        const sum = operators.get(key) ?? { operator: o.operator, node: a.name, fps: 0, recordsIn: 0, recordsOut: 0, dropped: 0, lag: 0 };
        operators.set(key, { ...sum, fps: sum.fps + o.fps, recordsIn: sum.recordsIn + o.recordsIn, recordsOut: sum.recordsOut + o.recordsOut, dropped: sum.dropped + o.dropped, lag: Math.max(sum.lag, o.lag ?? 0) });
      }
    }
    return {
      at: Date.now(),
      nodes: answers.map(({ name, up, detail }) => ({ name, up, ...(detail ? { detail } : {}) })),
      operators: [...operators.values()],
      sources: answers.flatMap((a) => a.statuses.flatMap((st) => st.sources)),
    };
  };
}
