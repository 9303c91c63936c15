// Nearest-neighbour identification against a gallery. An identity is as close as its nearest enrolled embedding,
// so several photos per person cover pose and lighting. Unknown faces get a cluster id by leader clustering:
// the first unknown face within no cluster's reach founds one, and its embedding stays the leader, so an id
// never drifts once given. Leaders and the id counter live in a keyed store (the engine's state store in the
// operator, a Map in unit tests), and ids carry the store's scope, so two replicas never mint the same id.
import type { Gallery } from '../vision/gallery.js';
import type { StateStore } from '../../pipelines/operator.js';

export interface MatcherOptions {
  /** Largest Euclidean distance that counts as a match. */
  threshold: number;
  clusterUnknown: boolean;
  /** Largest distance from an unknown face to a cluster leader; defaults to `threshold`. */
  clusterThreshold?: number;
  /** Leaders kept; the least recently seen is forgotten first, bounding memory on busy cameras. */
  maxClusters?: number;
}

export interface MatchResult {
  identity: string | null;
  /** Distance to the nearest enrolled embedding; 2 (the largest between unit vectors) for an empty gallery, so records stay JSON- and Avro-safe. */
  distance: number;
  clusterId: string | null;
}

export interface Matcher {
  match(embedding: ArrayLike<number>): MatchResult;
}

/** One stored value: a leader's embedding, when a cluster was last seen, or the next cluster number. */
export interface ClusterEntry {
  leader: number[] | null;
  seen: number | null;
  next: number | null;
}

/** The keyed store unknown-face clusters live in: the part of the engine's StateStore they use, scope included. */
export type ClusterStore = Pick<StateStore<ClusterEntry>, 'scope' | 'get' | 'set' | 'delete' | 'entries'>;

/** Avro schema of a ClusterEntry: what the match operator declares as its state. */
export const CLUSTER_ENTRY_SCHEMA = {
  type: 'record',
  name: 'MatchState',
  namespace: 'dev.tierflow.state',
  fields: [
    { name: 'leader', type: ['null', { type: 'array', items: 'float' }] },
    { name: 'seen', type: ['null', 'long'] },
    { name: 'next', type: ['null', 'long'] },
  ],
} as const;

/** A Map with a scope: the store unit tests and one-off matchers use. */
export function memoryClusterStore(scope = 'm'): ClusterStore {
  return Object.assign(new Map<string, ClusterEntry>(), { scope });
}

function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum);
}

const EMPTY_DISTANCE = 2;
const COUNTER = 'n';
const leaderKey = (id: string) => `l\u0000${id}`;
const seenKey = (id: string) => `s\u0000${id}`;

export function createMatcher(gallery: Gallery, options: MatcherOptions, store: ClusterStore = memoryClusterStore()): Matcher {
  const enrolled = gallery.identities.flatMap((id) => id.embeddings.map((e) => ({ name: id.name, embedding: Float64Array.from(e) })));
  const clusterThreshold = options.clusterThreshold ?? options.threshold;
  const maxClusters = options.maxClusters ?? 10_000;

  function clusterOf(embedding: ArrayLike<number>): string {
    let best: string | null = null;
    let bestDistance = Infinity;
    let leaders = 0;
    for (const [key, e] of store.entries()) {
      if (!e.leader) continue;
      leaders++;
      const d = distance(embedding, e.leader);
      if (d < bestDistance) { bestDistance = d; best = key.slice(2); }
    }
    const tick = (store.get(COUNTER)?.seen ?? 0) + 1;
    const next = store.get(COUNTER)?.next ?? 0;
    if (best !== null && bestDistance <= clusterThreshold) {
      store.set(seenKey(best), { leader: null, seen: tick, next: null });
      store.set(COUNTER, { leader: null, seen: tick, next });
      return best;
    }
    const id = `${store.scope}.u${next}`;
    store.set(leaderKey(id), { leader: Array.from(embedding, Math.fround), seen: null, next: null });
    store.set(seenKey(id), { leader: null, seen: tick, next: null });
    store.set(COUNTER, { leader: null, seen: tick, next: next + 1 });
    if (leaders + 1 > maxClusters) forgetLeastRecent();
    return id;
  }

  function forgetLeastRecent(): void {
    let oldest: string | null = null;
    let at = Infinity;
    for (const [key, e] of store.entries()) if (key.startsWith('s\u0000') && e.seen !== null && e.seen < at) { at = e.seen; oldest = key.slice(2); }
    if (oldest === null) return;
    store.delete(leaderKey(oldest));
    store.delete(seenKey(oldest));
  }

  return {
    match(embedding) {
      let identity: string | null = null;
      let nearest = EMPTY_DISTANCE;
      for (const e of enrolled) {
        const d = distance(embedding, e.embedding);
        if (d < nearest) { nearest = d; identity = e.name; }
      }
      if (nearest <= options.threshold) return { identity, distance: nearest, clusterId: null };
      return { identity: null, distance: nearest, clusterId: options.clusterUnknown ? clusterOf(embedding) : null };
    },
  };
}
