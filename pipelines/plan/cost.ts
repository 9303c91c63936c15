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
  for (const f of inflows) {
    if (f.node === to) continue;
    const route = net.route(f.node, to);
    if (!route) return { rejected: `no route from ${f.node}` };
    const bytesPerSecond = f.recordsPerSecond * f.bytesPerRecord;
    const mbps = (bytesPerSecond * 8) / 1e6;
    if (mbps > route.bandwidthMbps) return { rejected: `route from ${f.node} carries ${route.bandwidthMbps} Mbit/s, needs ${mbps.toFixed(1)}` };
    const recordMs = (f.bytesPerRecord * 8 * 1000) / (route.bandwidthMbps * 1e6);
    const perHour = (bytesPerSecond * 3600 * route.costPerGB) / 1e9;
    latency += route.latencyMs;
    money += perHour;
    moved += bytesPerSecond;
    cost += route.latencyMs + recordMs + perHour;
  }
  const detail = moved === 0 ? 'its input is already local (cost 0)' : `cost ${cost.toFixed(2)}: ${latency} ms latency, ${formatRate(moved)} moved${money > 0 ? `, ${money.toFixed(3)}/h transfer` : ''}`;
  return { cost, detail };
}

export function formatRate(bytesPerSecond: number): string {
  if (bytesPerSecond >= 1e6) return `${(bytesPerSecond / 1e6).toFixed(2)} MB/s`;
  if (bytesPerSecond >= 1e3) return `${(bytesPerSecond / 1e3).toFixed(1)} kB/s`;
  return `${Math.round(bytesPerSecond)} B/s`;
}
