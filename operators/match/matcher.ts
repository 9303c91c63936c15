// Nearest-neighbour identification against a gallery. An identity is as close as its nearest enrolled embedding,
// so several photos per person cover pose and lighting. Unknown faces get a cluster id by leader clustering:
// the first unknown face within no cluster's reach founds one, and its embedding stays the leader, so an id
// never drifts once given.
import type { Gallery } from '../../pipelines/vision/gallery.js';

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

function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum);
}

const EMPTY_DISTANCE = 2;

export function createMatcher(gallery: Gallery, options: MatcherOptions): Matcher {
  const enrolled = gallery.identities.flatMap((id) => id.embeddings.map((e) => ({ name: id.name, embedding: Float64Array.from(e) })));
  const clusterThreshold = options.clusterThreshold ?? options.threshold;
  const maxClusters = options.maxClusters ?? 10_000;
  // Map iteration order is insertion order: re-inserting on a hit keeps the least recently seen first.
  const leaders = new Map<string, Float64Array>();
  let nextCluster = 0;

  function clusterOf(embedding: ArrayLike<number>): string {
    let best: string | null = null;
    let bestDistance = Infinity;
    for (const [id, leader] of leaders) {
      const d = distance(embedding, leader);
      if (d < bestDistance) { bestDistance = d; best = id; }
    }
    if (best !== null && bestDistance <= clusterThreshold) {
      const leader = leaders.get(best)!;
      leaders.delete(best);
      leaders.set(best, leader);
      return best;
    }
    const id = `u${nextCluster++}`;
    leaders.set(id, Float64Array.from(embedding));
    if (leaders.size > maxClusters) leaders.delete(leaders.keys().next().value!);
    return id;
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
