// The supervisor's side of a migration's handover (runtime/handover.ts). A migration stops and starts the workers of
// the nodes it changes; a worker on another node that reads in the same consumer group keeps running, and the group
// rebalances under it when the new replica joins or the old one leaves. Before that, the switch holds it: it stops
// fetching and commits what it took, so no record is in flight when its partitions are dealt out again.
import type { Plan } from '../../plan/types.js';
import type { WorkerState } from './state.js';

export interface Sharer {
  worker: WorkerState;
  group: string;
}

/**
 * The workers that keep running beside a change in their consumer group: on a node the move leaves alone, with a
 * chain that reads in a group that a changed node's chains read in, in the old plan or the new.
 */
export function sharersOf(old: Plan, next: Plan, changing: string[], workers: WorkerState[]): Sharer[] {
  const changed = new Set(changing);
  const groups = new Set([...old.chains, ...next.chains].flatMap((c) => (changed.has(c.node) && c.consumerGroup ? [c.consumerGroup] : [])));
  return workers
    .filter((w) => !changed.has(w.node) && w.phase === 'ready' && w.status)
    .flatMap((w) => {
      const mine = old.chains.filter((c) => c.node === w.node && (!w.chain || c.id === w.chain));
      return [...new Set(mine.flatMap((c) => (c.consumerGroup && groups.has(c.consumerGroup) ? [c.consumerGroup] : [])))].map((group) => ({ worker: w, group }));
    });
}

const endpoint = (s: Sharer, action: 'hold' | 'release') => s.worker.status!.replace(/\/status$/, `/${action}?group=${encodeURIComponent(s.group)}`);

export const describeSharers = (list: Sharer[]) => list.map((s) => `${s.worker.id} (${s.group})`).join(', ');

/** Holds every sharer; resolves once each has committed what it took, or rejects with the first that did not. */
export async function holdSharers(list: Sharer[], timeoutMs: number): Promise<void> {
  await Promise.all(
    list.map(async (s) => {
      const res = await fetch(endpoint(s, 'hold'), { method: 'POST', signal: AbortSignal.timeout(timeoutMs) }).catch((e: unknown) => {
        throw new Error(`${s.worker.id} did not hold its replicas of ${s.group}: ${e instanceof Error ? e.message : String(e)}`);
      });
      if (!res.ok) throw new Error(`${s.worker.id} did not hold its replicas of ${s.group}: ${(await res.text()).trim()}`);
    }),
  );
}

/** Lets held sharers fetch again without a rebalance (a rolled-back migration); a worker that does not answer lets go by itself. */
export async function releaseSharers(list: Sharer[]): Promise<void> {
  await Promise.all(list.map((s) => fetch(endpoint(s, 'release'), { method: 'POST', signal: AbortSignal.timeout(2000) }).catch(() => undefined)));
}
