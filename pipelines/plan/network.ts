// The network between nodes, from `links`: a tier link stands for every node pair across those two tiers, a
// node link overrides it. Two nodes of the same tier with no link between them share a LAN (1 ms, 1 Gbit/s,
// free) — the one default; nodes of different tiers with no route are a validation error, never guessed.
//
// A city has thousands of nodes per tier, so node pairs are never listed. Nodes that no link names by itself
// are interchangeable within their tier: each tier's such nodes form one class, and every node a link names is
// a class of its own. Shortest paths are found between classes (a shortest path never passes through two
// nodes of one class: the second has the same hops as the first), once per class asked from, and a node's
// route is its class's. Work grows with the square of (tiers + nodes named in links), not of the nodes.
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
  /** Shortest (by latency, then cost, then the widest bottleneck) route, or undefined when none exists. */
  route(from: string, to: string): Route | undefined;
  /** Nodes of one group have the same routes to every node outside it (and among themselves): costs computed
   *  for one hold for all. */
  groupOf(node: string): string | undefined;
}

type Hop = { latencyMs: number; bandwidthMbps: number; costPerGB: number };
type Metric = Omit<Route, 'hops'>;

interface NodeClass {
  id: string;
  tier: string;
  /** Members by name; a class of a node named in a link has just that node. */
  members: string[];
  /** The node named in links, for such a class. */
  named?: string;
}

interface Paths {
  metric: Map<string, Metric>;
  /** Previous class on the best path, by class id. */
  via: Map<string, string>;
}

export function buildNetwork(t: Pick<Topology, 'nodes' | 'links'>): Network {
  const links = indexLinks(t.nodes, t.links);
  const { classes, classOf } = classify(t.nodes, links.named);
  const hop = (a: NodeClass, b: NodeClass) => links.hop(a.named ?? a.members[0]!, a.tier, b.named ?? b.members[0]!, b.tier, a === b);
  const paths = new Map<string, Paths>();
  const pathsFrom = (c: NodeClass) => {
    let p = paths.get(c.id);
    if (!p) paths.set(c.id, (p = shortestPaths(c, classes, hop)));
    return p;
  };
  const byId = new Map(classes.map((c) => [c.id, c]));
  return {
    groupOf: (node) => classOf.get(node)?.id,
    route(from, to) {
      if (from === to) return classOf.has(from) ? { ...LOCAL, hops: [from] } : undefined;
      const a = classOf.get(from);
      const b = classOf.get(to);
      if (!a || !b) return undefined;
      const p = pathsFrom(a);
      if (a !== b) {
        const m = p.metric.get(b.id);
        return m && { ...m, hops: hopsOf(p, a, b, from, to, byId) };
      }
      // Two members of one class: their direct hop, or out and back in through another class.
      let best: { metric: Metric; last?: NodeClass } | undefined;
      const direct = hop(a, a);
      if (direct) best = { metric: { ...direct } };
      for (const c of classes) {
        const m = c === a ? undefined : p.metric.get(c.id);
        const back = m && hop(c, a);
        if (!m || !back) continue;
        const metric = extend(m, back);
        if (!best || better(metric, best.metric)) best = { metric, last: c };
      }
      if (!best) return undefined;
      const hops = best.last ? [...hopsOf(p, a, best.last, from, to, byId, false), to] : [from, to];
      return { ...best.metric, hops };
    },
  };
}

/** The strongest direct hop between two nodes: a node link beats a tier (or node-to-tier) link beats the LAN;
 *  among links of one strength the later one wins. */
function indexLinks(nodes: NodeSpec[], links: Topology['links']) {
  const isNode = new Set(nodes.map((n) => n.name));
  const nodeLinks = new Map<string, Hop>();
  const tierish = new Map<string, { hop: Hop; order: number }>();
  const named = new Set<string>();
  const key = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  // Link ends as written: a node's name when a node has it, else a tier's; typed so a node named like a tier
  // is not taken for the tier.
  const end = (name: string) => (isNode.has(name) ? `n:${name}` : `t:${name}`);
  links.forEach((l, order) => {
    const hop = { latencyMs: l.latencyMs, bandwidthMbps: l.bandwidthMbps, costPerGB: l.costPerGB };
    for (const end of [l.from, l.to]) if (isNode.has(end)) named.add(end);
    if (isNode.has(l.from) && isNode.has(l.to)) {
      if (l.from !== l.to) nodeLinks.set(key(l.from, l.to), hop);
    } else {
      // A tier-tier link, or a node-to-tier one: ends are kept as written (node name or tier name).
      tierish.set(key(end(l.from), end(l.to)), { hop, order });
    }
  });
  const hop = (a: string, tierA: string, b: string, tierB: string, sameClass: boolean): Hop | undefined => {
    if (!sameClass) {
      const direct = nodeLinks.get(key(a, b));
      if (direct) return direct;
    }
    let best: { hop: Hop; order: number } | undefined;
    // For two members of one class, a and b stand for any two members: only tier-level links apply.
    const [ta, tb] = [`t:${tierA}`, `t:${tierB}`];
    const ends = sameClass ? [key(ta, tb)] : [key(ta, tb), key(`n:${a}`, tb), key(ta, `n:${b}`)];
    for (const k of ends) {
      const l = tierish.get(k);
      if (l && (!best || l.order > best.order)) best = l;
    }
    if (best) return best.hop;
    return tierA === tierB ? LAN : undefined;
  };
  return { hop, named };
}

function classify(nodes: NodeSpec[], named: Set<string>): { classes: NodeClass[]; classOf: Map<string, NodeClass> } {
  const classes: NodeClass[] = [];
  const classOf = new Map<string, NodeClass>();
  const plain = new Map<string, NodeClass>();
  for (const n of [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    let c: NodeClass | undefined;
    if (named.has(n.name)) {
      c = { id: `node:${n.name}`, tier: n.tier, members: [n.name], named: n.name };
      classes.push(c);
    } else {
      c = plain.get(n.tier);
      if (!c) {
        plain.set(n.tier, (c = { id: `tier:${n.tier}`, tier: n.tier, members: [] }));
        classes.push(c);
      }
      c.members.push(n.name);
    }
    classOf.set(n.name, c);
  }
  return { classes, classOf };
}

/** Dijkstra over classes, ties by class id so routes are deterministic. */
function shortestPaths(start: NodeClass, classes: NodeClass[], hop: (a: NodeClass, b: NodeClass) => Hop | undefined): Paths {
  const metric = new Map<string, Metric>([[start.id, { ...LOCAL }]]);
  const via = new Map<string, string>();
  const done = new Set<string>();
  for (;;) {
    let next: NodeClass | undefined;
    for (const c of classes) {
      const m = metric.get(c.id);
      if (!m || done.has(c.id)) continue;
      const n = next && metric.get(next.id);
      if (!n || better(m, n) || (!better(n, m) && c.id < next!.id)) next = c;
    }
    if (!next) break;
    done.add(next.id);
    const here = metric.get(next.id)!;
    for (const c of classes) {
      if (done.has(c.id)) continue;
      const h = hop(next, c);
      if (!h) continue;
      const candidate = extend(here, h);
      const known = metric.get(c.id);
      if (!known || better(candidate, known)) {
        metric.set(c.id, candidate);
        via.set(c.id, next.id);
      }
    }
  }
  return { metric, via };
}

/** Node names along the class path from `a` to `b`: through a class of interchangeable nodes, its first member
 *  that is neither end; `b` itself is `to` unless the route goes on from it (`endsAtB` false). */
function hopsOf(p: Paths, a: NodeClass, b: NodeClass, from: string, to: string, byId: Map<string, NodeClass>, endsAtB = true): string[] {
  const ids: string[] = [];
  for (let id: string | undefined = b.id; id !== undefined && id !== a.id; id = p.via.get(id)) ids.push(id);
  ids.reverse();
  const out = [from];
  ids.forEach((id, i) => {
    const c = byId.get(id)!;
    out.push(endsAtB && i === ids.length - 1 ? to : (c.members.find((m) => m !== from && m !== to) ?? c.members[0]!));
  });
  return out;
}

function extend(m: Metric, h: Hop): Metric {
  return { latencyMs: m.latencyMs + h.latencyMs, bandwidthMbps: Math.min(m.bandwidthMbps, h.bandwidthMbps), costPerGB: m.costPerGB + h.costPerGB };
}

function better(a: Metric, b: Metric): boolean {
  if (a.latencyMs !== b.latencyMs) return a.latencyMs < b.latencyMs;
  if (a.costPerGB !== b.costPerGB) return a.costPerGB < b.costPerGB;
  return a.bandwidthMbps > b.bandwidthMbps;
}
