// The cost of bringing an operator's input to a node, summed over its inflows: per inflow, the route's
// latency plus the time one record takes on its slowest hop (ms), plus the money the data costs per hour
// (bytes/s x 3600 x costPerGB; one currency unit per hour weighs as much as 1 ms). A route that cannot
// carry the data rate rejects the node.
import type { Network } from './network.js';

export interface Inflow {
  node: string;
  recordsPerSecond: number;
  bytesPerRecord: number;
}

export type TransferCost = { cost: number; detail: string } | { rejected: string };

export function transferCost(inflows: Inflow[], to: string, net: Network): TransferCost {
  let cost = 0;
  let latency = 0;
  let money = 0;
  let moved = 0;
  // Inflows from one network group share their route to `to` (network.ts): sum them per group, so a city's
  // thousands of camera nodes cost one route each per candidate, not one per camera.
  for (const g of groupInflows(inflows, net)) {
    const others = g.byNode.get(to);
    // Inflows from `to` itself are local; the rest of its group reaches it over the group's own route.
    const count = g.count - (others?.count ?? 0);
    if (count === 0) continue;
    const from = g.rep === to ? g.alt : g.rep;
    if (from === undefined) continue;
    const route = net.route(from, to);
    if (!route) return { rejected: `no route from ${from}` };
    const bytesPerSecond = g.bytesPerSecond - (others?.bytesPerSecond ?? 0);
    const bytesPerRecord = g.bytesPerRecord - (others?.bytesPerRecord ?? 0);
    const widest = g.widest[0]?.node === to ? g.widest[1] : g.widest[0];
    if (widest && widest.mbps > route.bandwidthMbps) return { rejected: `route from ${widest.node} carries ${route.bandwidthMbps} Mbit/s, needs ${widest.mbps.toFixed(1)}` };
    const recordMs = (bytesPerRecord * 8 * 1000) / (route.bandwidthMbps * 1e6);
    const perHour = (bytesPerSecond * 3600 * route.costPerGB) / 1e9;
    latency += route.latencyMs * count;
    money += perHour;
    moved += bytesPerSecond;
    cost += route.latencyMs * count + recordMs + perHour;
  }
  const detail = moved === 0 ? 'its input is already local (cost 0)' : `cost ${cost.toFixed(2)}: ${latency} ms latency, ${formatRate(moved)} moved${money > 0 ? `, ${money.toFixed(3)}/h transfer` : ''}`;
  return { cost, detail };
}

interface Sums {
  count: number;
  bytesPerSecond: number;
  bytesPerRecord: number;
}

interface InflowGroup extends Sums {
  /** A member node, and another one (for routes to `rep` itself). */
  rep: string;
  alt?: string;
  byNode: Map<string, Sums>;
  /** The two member nodes with the largest data rate (Mbit/s), largest first. */
  widest: Array<{ node: string; mbps: number }>;
}

const groupsOf = new WeakMap<Inflow[], { net: Network; groups: InflowGroup[] }>();

/** The planner asks for the same inflows once per candidate node: group them once. */
function groupInflows(inflows: Inflow[], net: Network): InflowGroup[] {
  const known = groupsOf.get(inflows);
  if (known && known.net === net) return known.groups;
  const groups = new Map<string, InflowGroup>();
  for (const f of inflows) {
    const id = net.groupOf(f.node) ?? `?${f.node}`;
    let g = groups.get(id);
    if (!g) {
      g = { rep: f.node, count: 0, bytesPerSecond: 0, bytesPerRecord: 0, byNode: new Map(), widest: [] };
      groups.set(id, g);
    }
    if (g.alt === undefined && f.node !== g.rep) g.alt = f.node;
    let own = g.byNode.get(f.node);
    if (!own) g.byNode.set(f.node, (own = { count: 0, bytesPerSecond: 0, bytesPerRecord: 0 }));
    const bytesPerSecond = f.recordsPerSecond * f.bytesPerRecord;
    for (const s of [g, own]) {
      s.count += 1;
      s.bytesPerSecond += bytesPerSecond;
      s.bytesPerRecord += f.bytesPerRecord;
    }
    // Each inflow is checked against the route on its own: keep the two widest (by node, so one node's two
    // inflows do not hide another node's).
    const mbps = (bytesPerSecond * 8) / 1e6;
    const w = g.widest.filter((x) => x.node !== f.node);
    const mine = Math.max(mbps, g.widest.find((x) => x.node === f.node)?.mbps ?? 0);
    g.widest = [...w, { node: f.node, mbps: mine }].sort((a, b) => b.mbps - a.mbps).slice(0, 2);
  }
  const list = [...groups.values()];
  groupsOf.set(inflows, { net, groups: list });
  return list;
}

export function formatRate(bytesPerSecond: number): string {
  if (bytesPerSecond >= 1e6) return `${(bytesPerSecond / 1e6).toFixed(2)} MB/s`;
  if (bytesPerSecond >= 1e3) return `${(bytesPerSecond / 1e3).toFixed(1)} kB/s`;
  return `${Math.round(bytesPerSecond)} B/s`;
}
