// What the dashboard streams every second: per-operator live figures, camera states, nodes up or down. Two
// providers: the process's own worker (`tierflow run`), or the workers of a local deploy read over HTTP.
import type { Plan } from '../plan/types.js';
import type { Worker } from '../runtime/worker.js';
import type { SourceStatus } from '../runtime/worker.js';

export interface OperatorLive {
  operator: string;
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

/** Lag per chain's head operator, from the worker's lag gauge (refreshed here, bounded). */
async function lagByOperator(plan: Plan, worker: Worker): Promise<Map<string, number>> {
  await Promise.race([worker.refreshLag(), new Promise((r) => setTimeout(r, 500))]);
  const out = new Map<string, number>();
  for (const v of (await worker.metrics.lag.get()).values) {
    const chain = plan.chains.find((c) => c.id === v.labels.chain);
    const head = chain?.operators[0];
    if (head) out.set(head, (out.get(head) ?? 0) + v.value);
  }
  return out;
}

export function workerStatusProvider(plan: Plan, worker: () => Worker | null): StatusProvider {
  const nodes = [...new Set(plan.chains.map((c) => c.node))];
  return async () => {
    const w = worker();
    if (!w) return { at: Date.now(), nodes: nodes.map((name) => ({ name, up: false, detail: 'starting' })), operators: [], sources: [] };
    const lag = await lagByOperator(plan, w);
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
  operators: Array<Omit<OperatorLive, 'lag'>>;
  sources: SourceStatus[];
}

/** A local deploy's workers, each asked for its /status; a worker that does not answer is its node down. */
export function deployStatusProvider(plan: Plan, endpoints: () => Array<{ node: string; status?: string }>, fetchFn: typeof fetch = fetch): StatusProvider {
  const nodes = [...new Set(plan.chains.map((c) => c.node))];
  return async () => {
    const known = endpoints();
    const answers = await Promise.all(
      nodes.map(async (name) => {
        const url = known.find((e) => e.node === name)?.status;
        if (!url) return { name, up: false, detail: 'no worker running', status: null };
        try {
          const res = await fetchFn(url, { signal: AbortSignal.timeout(1500) });
          const body = (await res.json()) as WorkerStatusJson;
          return { name, up: body.healthy, status: body };
        } catch (e) {
          return { name, up: false, detail: `status ${url}: ${(e as Error).message}`, status: null };
        }
      }),
    );
    const operators = new Map<string, OperatorLive>();
    for (const a of answers) {
      for (const o of a.status?.operators ?? []) {
        const sum = operators.get(o.operator) ?? { operator: o.operator, fps: 0, recordsIn: 0, recordsOut: 0, dropped: 0, lag: 0 };
        operators.set(o.operator, { ...sum, fps: sum.fps + o.fps, recordsIn: sum.recordsIn + o.recordsIn, recordsOut: sum.recordsOut + o.recordsOut, dropped: sum.dropped + o.dropped });
      }
    }
    return {
      at: Date.now(),
      nodes: answers.map(({ name, up, detail }) => ({ name, up, ...(detail ? { detail } : {}) })),
      operators: [...operators.values()],
      sources: answers.flatMap((a) => a.status?.sources ?? []),
    };
  };
}
