// The network between nodes, from `links`: a tier link stands for every node pair across those two tiers, a
// node link overrides it. Two nodes of the same tier with no link between them share a LAN (1 ms, 1 Gbit/s,
// free) — the one default; nodes of different tiers with no route are a validation error, never guessed.
import type { NodeSpec, Topology } from '../topology/schema.js';

export interface Route {
  latencyMs: number;
  /** Bottleneck bandwidth along the route, Mbit/s. */
  bandwidthMbps: number;
  /** Sum of the per-GB costs of the hops. */
  costPerGB: number;
  /** Nodes from start to end. */
  hops: string[];
}

export const LAN = { latencyMs: 1, bandwidthMbps: 1000, costPerGB: 0 } as const;
const LOCAL: Omit<Route, 'hops'> = { latencyMs: 0, bandwidthMbps: Infinity, costPerGB: 0 };

export interface Network {
  /** Shortest (by latency, then cost) route, or undefined when none exists. */
  route(from: string, to: string): Route | undefined;
}

type Hop = { latencyMs: number; bandwidthMbps: number; costPerGB: number };

export function buildNetwork(t: Pick<Topology, 'nodes' | 'links'>): Network {
  const hops = directHops(t.nodes, t.links);
  const cache = new Map<string, Map<string, Route>>();
  return {
    route(from, to) {
      if (from === to) return { ...LOCAL, hops: [from] };
      let fromHere = cache.get(from);
      if (!fromHere) cache.set(from, (fromHere = shortestRoutes(from, hops)));
      return fromHere.get(to);
    },
  };
}

/** Direct hops between node pairs, symmetric; a node link beats a tier link beats the same-tier LAN. */
function directHops(nodes: NodeSpec[], links: Topology['links']): Map<string, Map<string, Hop>> {
  const out = new Map<string, Map<string, Hop>>(nodes.map((n) => [n.name, new Map()]));
  const strength = new Map<string, number>();
  const set = (a: string, b: string, hop: Hop, rank: number) => {
    if (a === b) return;
    const key = [a, b].sort().join('\u0000');
    if ((strength.get(key) ?? -1) > rank) return;
    strength.set(key, rank);
    out.get(a)?.set(b, hop);
    out.get(b)?.set(a, hop);
  };
  for (const a of nodes) for (const b of nodes) if (a.tier === b.tier) set(a.name, b.name, LAN, 0);
  const expand = (end: string) => {
    const node = nodes.find((n) => n.name === end);
    return node ? [node.name] : nodes.filter((n) => n.tier === end).map((n) => n.name);
  };
  for (const link of links) {
    const isNodeLink = nodes.some((n) => n.name === link.from) && nodes.some((n) => n.name === link.to);
    const hop = { latencyMs: link.latencyMs, bandwidthMbps: link.bandwidthMbps, costPerGB: link.costPerGB };
    for (const a of expand(link.from)) for (const b of expand(link.to)) set(a, b, hop, isNodeLink ? 2 : 1);
  }
  return out;
}

/** Dijkstra by latency, ties by cost then by node name, so routes are deterministic. */
function shortestRoutes(start: string, hops: Map<string, Map<string, Hop>>): Map<string, Route> {
  const best = new Map<string, Route>([[start, { ...LOCAL, hops: [start] }]]);
  const done = new Set<string>();
  for (;;) {
    let next: [string, Route] | undefined;
    for (const entry of best) {
      if (done.has(entry[0])) continue;
      if (!next || better(entry[1], next[1]) || (!better(next[1], entry[1]) && entry[0] < next[0])) next = entry;
    }
    if (!next) break;
    const [at, route] = next;
    done.add(at);
    for (const [to, hop] of hops.get(at) ?? []) {
      if (done.has(to)) continue;
      const candidate: Route = {
        latencyMs: route.latencyMs + hop.latencyMs,
        bandwidthMbps: Math.min(route.bandwidthMbps, hop.bandwidthMbps),
        costPerGB: route.costPerGB + hop.costPerGB,
        hops: [...route.hops, to],
      };
      const known = best.get(to);
      if (!known || better(candidate, known)) best.set(to, candidate);
    }
  }
  return best;
}

function better(a: Route, b: Route): boolean {
  return a.latencyMs !== b.latencyMs ? a.latencyMs < b.latencyMs : a.costPerGB < b.costPerGB;
}
