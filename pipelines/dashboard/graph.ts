// The flow as the topology view draws it: operators grouped by node and tier (placements, replicas), edges
// between operators labelled with the topic they cross (none inside a fused chain), sources at their nodes.
// Live figures (fps, lag, dropped, a node down) are joined in by the page from the status it streams.
import type { Plan } from '../plan/types.js';

export interface GraphOperator {
  id: string;
  uses: string;
  node: string;
  tier: string;
  replicas: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  topic: string | null;
}

export interface FlowGraph {
  tiers: string[];
  nodes: Array<{ name: string; tier: string }>;
  operators: GraphOperator[];
  sources: Array<{ name: string; node: string }>;
  edges: GraphEdge[];
}

/** Operator ids are unique per flow, but a source operator placed near its sources has one placement per node. */
export const placementId = (operator: string, node: string) => `${operator}@${node}`;

export function flowGraph(plan: Plan): FlowGraph {
  const operators = plan.placements.map((p) => ({ id: placementId(p.operator, p.node), uses: p.uses, node: p.node, tier: p.tier, replicas: p.replicas }));
  const nodeTier = new Map(plan.placements.map((p) => [p.node, p.tier]));
  for (const c of plan.chains) nodeTier.set(c.node, c.tier);
  const nodes = [...nodeTier].map(([name, tier]) => ({ name, tier })).sort((a, b) => plan.tiers.indexOf(a.tier) - plan.tiers.indexOf(b.tier) || a.name.localeCompare(b.name));
  const sources = plan.sources.map((s) => ({ name: s.name, node: s.node }));
  const edges: GraphEdge[] = [];
  for (const [to, inputs] of Object.entries(plan.inputs ?? {})) {
    for (const target of plan.placements.filter((p) => p.operator === to)) {
      for (const input of inputs) {
        const source = plan.sources.find((s) => s.name === input);
        if (source) {
          if (!target.sources || target.sources.includes(input)) edges.push({ from: `source:${input}`, to: placementId(to, target.node), topic: null });
          continue;
        }
        const topic = plan.topics.find((t) => t.producer === input && t.consumers.includes(to))?.name ?? null;
        for (const from of plan.placements.filter((p) => p.operator === input)) {
          // Without a topic the two are fused in one chain: only the co-located pair is connected.
          if (topic === null && from.node !== target.node) continue;
          edges.push({ from: placementId(input, from.node), to: placementId(to, target.node), topic });
        }
      }
    }
  }
  return { tiers: plan.tiers, nodes, operators, sources, edges };
}
