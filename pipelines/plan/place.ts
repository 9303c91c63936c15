// placeOperators: where every operator instance runs. Pure and deterministic. Pins are honoured, `near: source`
// follows the data, and `auto` (or a tier pin) takes the feasible node with the least cost of bringing its
// upstream data to it; ties go to the innermost tier, then to the node name. Replicas of such a transform
// are spread over the feasible nodes of that node's tier.
import type { AnyOperatorDefinition } from '../operator.js';
import type { FlowSpec, NodeSpec, Topology } from '../topology/schema.js';
import type { Placement } from './types.js';
import { buildNetwork } from './network.js';
import { operatorLimit, policyLimits, runsOnTier } from './policy.js';
import { PlanInfeasibleError } from './infeasible.js';
import { topologicalFlows, operatorsByFlow } from './flow-graph.js';
import { transferCost, type Inflow } from './cost.js';
import { spreadReplicas } from './spread.js';
import { KAFKA_BYTES_PER_RECORD, recordBytes, recordRate } from './record-bytes.js';

export interface Candidate {
  node: string;
  tier: string;
  /** Present when the node was feasible. */
  cost?: number;
  /** Why the node was rejected, or how its cost came about. */
  note: string;
}

export interface PlacementDecisions {
  placements: Placement[];
  /** Every node considered for each auto or tier-pinned operator, best first. */
  candidates: Record<string, Candidate[]>;
  /** Records per second entering each placement, by operator then node. */
  rates: Record<string, Record<string, number>>;
  /** Bytes per second each placement emits, by operator then node (a source operator's from each source it reads). */
  bytes: Record<string, Record<string, number>>;
}

export function placeOperators(t: Topology, operators: readonly AnyOperatorDefinition[]): Placement[] {
  return decidePlacements(t, operators).placements;
}

/**
 * `offload`: by flow id, nodes that run one more replica of it beyond where it is placed (what the adaptive
 * controller adds under load, `migrate --add-replica-on`). Each must pass the same checks as a pin.
 */
export function decidePlacements(t: Topology, operators: readonly AnyOperatorDefinition[], offload: Record<string, string[]> = {}): PlacementDecisions {
  const defs = operatorsByFlow(t, operators);
  const net = buildNetwork(t);
  const limits = policyLimits(t);
  const free = new Map(t.nodes.map((n) => [n.name, { cpu: n.cpu, memory: n.memory }]));
  const placed = new Map<string, Placement[]>();
  const rates: Record<string, Record<string, number>> = {};
  const bytes: Record<string, Record<string, number>> = {};
  const flowById = new Map(t.flows.map((f) => [f.id, f]));
  const candidates: Record<string, Candidate[]> = {};
  const tierOf = (node: NodeSpec) => t.tiers.indexOf(node.tier);
  const sourceByName = new Map(t.sources.map((s) => [s.name, s]));
  const sourceOf = (name: string) => sourceByName.get(name);

  /** Why `node` cannot host `replicas` of the flow, or undefined when it can. */
  const rejection = (flow: FlowSpec, def: AnyOperatorDefinition, node: NodeSpec, replicas = flow.replicas): string | undefined => {
    if (!runsOnTier(def, node.tier)) return `${def.name}@${def.version} does not run on tier ${node.tier}`;
    if (!def.resources.arch.includes(node.arch)) return `arch ${node.arch} not supported (needs ${def.resources.arch.join('/')})`;
    if (def.resources.accelerator && !node.accelerators.includes(def.resources.accelerator)) return `no ${def.resources.accelerator} accelerator`;
    const limit = operatorLimit(def, limits);
    if (limit && tierOf(node) > limit.tierIndex) return `policy keeps ${limit.dataClass} data at or inside tier ${limit.tier}`;
    const room = free.get(node.name) ?? { cpu: 0, memory: 0 };
    const cpu = def.resources.cpu * replicas;
    const memory = def.resources.memoryMB * replicas;
    if (cpu > room.cpu + 1e-9) return `needs ${round(cpu)} cpu for ${replicas} replica(s), ${round(room.cpu)} free`;
    if (memory > room.memory) return `needs ${memory} MB for ${replicas} replica(s), ${room.memory} MB free`;
    return undefined;
  };

  const commit = (flow: FlowSpec, def: AnyOperatorDefinition, node: NodeSpec, rate: number, reason: string, sources?: string[], replicas = flow.replicas) => {
    const room = free.get(node.name);
    if (room) {
      room.cpu -= def.resources.cpu * replicas;
      room.memory -= def.resources.memoryMB * replicas;
    }
    const placement: Placement = { operator: flow.id, uses: flow.uses, node: node.name, tier: node.tier, replicas, reason };
    if (sources) placement.sources = sources;
    const list = placed.get(flow.id);
    if (list) list.push(placement);
    else placed.set(flow.id, [placement]);
    // A source operator emits its sources' frames, each weighing what its source's frames weigh; a transform its
    // estimate of records for what it takes in (`rate`, this placement's share), each of its estimated weight.
    const out = sources ? rate : emittedRate(flow, def, rate);
    (rates[flow.id] ??= {})[node.name] = (rates[flow.id]?.[node.name] ?? 0) + out;
    const emitted = sources ? sources.flatMap((n) => sourceOf(n) ?? []).reduce((s, src) => s + src.fps * recordBytes(def, flow, src), 0) : out * recordBytes(def, flow);
    (bytes[flow.id] ??= {})[node.name] = (bytes[flow.id]?.[node.name] ?? 0) + emitted;
    return placement;
  };

  /** How many sources feed a flow, through every path: what a per-source estimate (estimateRate) counts. */
  const sourceCount = new Map<string, number>();
  const sourcesOf = (flow: FlowSpec): number => {
    let n = sourceCount.get(flow.id);
    if (n === undefined) {
      n = flow.inputs.reduce((s, name) => s + (sourceOf(name) ? 1 : flowById.has(name) ? sourcesOf(flowById.get(name)!) : 0), 0);
      sourceCount.set(flow.id, n);
    }
    return n;
  };
  /** Records/s into a flow from all its upstream placements, once per flow (they are all placed before it). */
  const inflowTotal = new Map<string, number>();
  const totalIn = (flow: FlowSpec, def: AnyOperatorDefinition): number => {
    let total = inflowTotal.get(flow.id);
    if (total === undefined) inflowTotal.set(flow.id, (total = inflows(flow, def).reduce((s, f) => s + f.recordsPerSecond, 0)));
    return total;
  };
  /** What a transform emits for `rate` records/s in: its share of the flow's sources goes with its share of the input. */
  const emittedRate = (flow: FlowSpec, def: AnyOperatorDefinition, rate: number): number => {
    if (!def.estimateRate || rate <= 0) return rate;
    const total = totalIn(flow, def);
    return recordRate(def, flow, rate, sourcesOf(flow) * (total > 0 ? Math.min(1, rate / total) : 1));
  };

  const mustFit = (flow: FlowSpec, def: AnyOperatorDefinition, node: NodeSpec, how: string) => {
    const why = rejection(flow, def, node);
    if (why) throw new PlanInfeasibleError(flow.id, `cannot place '${flow.id}' (${flow.uses}) ${how} on ${node.name} (tier ${node.tier}): ${why}`);
  };

  /** Where the operator's input data comes from, and how much of it. */
  const inflows = (flow: FlowSpec, def: AnyOperatorDefinition): Inflow[] => {
    if (def.input === null) {
      return flow.inputs.flatMap((name) => {
        const src = sourceOf(name);
        return src ? [{ node: src.node, recordsPerSecond: src.fps, bytesPerRecord: recordBytes(def, flow, src) }] : [];
      });
    }
    return flow.inputs.flatMap((up) => {
      const upDef = defs.get(up);
      const upFlow = flowById.get(up);
      const each = upDef && upFlow ? recordBytes(upDef, upFlow) : 0;
      return (placed.get(up) ?? []).map((p) => {
        const recordsPerSecond = rates[up]?.[p.node] ?? 0;
        // A source operator's records weigh what its own sources' frames weigh; a topic adds Kafka's framing.
        const bytesPerRecord = (recordsPerSecond > 0 ? (bytes[up]?.[p.node] ?? 0) / recordsPerSecond : each) + KAFKA_BYTES_PER_RECORD;
        return { node: p.node, recordsPerSecond, bytesPerRecord };
      });
    });
  };

  const nodes = new Map(t.nodes.map((n) => [n.name, n]));
  const nodeByName = (name: string) => nodes.get(name);

  /** Spreads the flow's replicas over the feasible nodes of the cheapest tier that holds them all (candidates
   *  in cost order); false when no tier does. */
  const spreadOverTier = (flow: FlowSpec, def: AnyOperatorDefinition, considered: Candidate[], rate: number, scope: string): boolean => {
    const feasible = considered.filter((c) => c.cost !== undefined);
    for (const tier of new Set(feasible.map((c) => c.tier))) {
      const inTier = feasible.filter((c) => c.tier === tier);
      const rooms = inTier.map((c) => ({ name: c.node, room: free.get(c.node) ?? { cpu: 0, memory: 0 } }));
      const shares = spreadReplicas(flow.replicas, rooms, { cpu: def.resources.cpu, memory: def.resources.memoryMB });
      if (!shares) continue;
      const over = shares.map((s) => s.node).join(', ');
      for (const share of shares) {
        const c = inTier.find((x) => x.node === share.node);
        const node = nodeByName(share.node);
        if (!c || !node) continue;
        const which = `replica${share.replicas.length > 1 ? 's' : ''} ${share.replicas.join(', ')} of ${flow.replicas}`;
        const reason = shares.length === 1 ? `${scope}: ${c.note}` : `${which} spread over ${over} (tier ${tier}): ${c.note}`;
        commit(flow, def, node, (rate * share.replicas.length) / flow.replicas, reason, undefined, share.replicas.length);
      }
      return true;
    }
    return false;
  };
  const order = topologicalFlows(t);

  // Fixed placements first, so capacity they need is not taken by an auto operator placed earlier.
  for (const flow of order) {
    const def = defs.get(flow.id);
    if (!def) continue;
    const p = flow.placement;
    if (typeof p === 'object' && 'node' in p) {
      const node = nodeByName(p.node);
      if (!node) throw new PlanInfeasibleError(flow.id, `cannot place '${flow.id}': unknown node ${p.node}`);
      mustFit(flow, def, node, 'as pinned');
      const rate = def.input === null ? inflows(flow, def).reduce((s, f) => s + f.recordsPerSecond, 0) : 0;
      commit(flow, def, node, rate, `pinned to node ${node.name}`, def.input === null ? flow.inputs : undefined);
    } else if (typeof p === 'object' && 'near' in p && def.input === null) {
      const byNode = new Map<string, string[]>();
      for (const name of flow.inputs) {
        const src = sourceOf(name);
        if (src) byNode.set(src.node, [...(byNode.get(src.node) ?? []), name]);
      }
      for (const [nodeName, names] of [...byNode].sort((a, b) => a[0].localeCompare(b[0]))) {
        const node = nodeByName(nodeName);
        if (!node) continue;
        mustFit(flow, def, node, `near its source(s) ${names.join(', ')}`);
        const rate = names.reduce((s, n) => s + (sourceOf(n)?.fps ?? 0), 0);
        commit(flow, def, node, rate, `near source: ${names.join(', ')} attached to ${node.name}`, names);
      }
    }
  }

  for (const flow of order) {
    const def = defs.get(flow.id);
    if (!def || placed.has(flow.id)) {
      // Rates of pinned non-source operators depend on their upstream, known only now.
      if (def && def.input !== null) fillRate(flow.id, emittedRate(flow, def, totalIn(flow, def)), placed.get(flow.id) ?? [], rates, bytes, recordBytes(def, flow));
      continue;
    }
    const flowsIn = inflows(flow, def);
    const total = flowsIn.reduce((s, f) => s + f.recordsPerSecond, 0);
    const p = flow.placement;
    if (typeof p === 'object' && 'near' in p) {
      // A transform near its source runs beside each upstream placement and keeps that node's data local.
      for (const f of flowsIn) {
        const node = nodeByName(f.node);
        if (!node) continue;
        mustFit(flow, def, node, 'near its upstream');
        commit(flow, def, node, f.recordsPerSecond, `near source: beside its upstream on ${node.name}`);
      }
      continue;
    }
    const pool = typeof p === 'object' && 'tier' in p ? t.nodes.filter((n) => n.tier === p.tier) : t.nodes;
    // Replicas of a transform spread over a tier, so a node is a candidate when it holds one of them. A source
    // operator's replicas stay together: each would read all of its sources.
    const spreads = def.input !== null && flow.replicas > 1;
    const considered: Candidate[] = pool.map((node) => {
      const why = rejection(flow, def, node, spreads ? 1 : flow.replicas);
      if (why) return { node: node.name, tier: node.tier, note: why };
      const cost = transferCost(flowsIn, node.name, net);
      if ('rejected' in cost) return { node: node.name, tier: node.tier, note: cost.rejected };
      return { node: node.name, tier: node.tier, cost: cost.cost, note: cost.detail };
    });
    considered.sort((a, b) => rank(a, b, t.tiers));
    candidates[flow.id] = considered;
    const best = considered[0];
    const chosen = best && best.cost !== undefined ? nodeByName(best.node) : undefined;
    if (!chosen || !best) throw infeasible(flow, def, considered, limits);
    const scope = typeof p === 'object' && 'tier' in p ? `cheapest feasible node in tier ${p.tier}` : 'cheapest feasible node';
    if (!spreads) {
      commit(flow, def, chosen, total, `${scope}: ${best.note}`, def.input === null ? flow.inputs : undefined);
      continue;
    }
    if (!spreadOverTier(flow, def, considered, total, scope)) throw infeasible(flow, def, considered, limits, `no tier holds all ${flow.replicas} replicas`);
  }

  for (const flow of order) {
    const def = defs.get(flow.id);
    for (const name of offload[flow.id] ?? []) {
      const node = nodeByName(name);
      if (!def || def.input === null) throw new PlanInfeasibleError(flow.id, `cannot add a replica of '${flow.id}': it reads sources, which one process reads`);
      if (!node) throw new PlanInfeasibleError(flow.id, `cannot add a replica of '${flow.id}': unknown node ${name}`);
      if (placed.get(flow.id)?.some((p) => p.node === name)) throw new PlanInfeasibleError(flow.id, `cannot add a replica of '${flow.id}' on ${name}: it runs there already`);
      const why = rejection(flow, def, node, 1);
      if (why) throw new PlanInfeasibleError(flow.id, `cannot add a replica of '${flow.id}' (${flow.uses}) on ${node.name} (tier ${node.tier}): ${why}`);
      commit(flow, def, node, 0, `offload: one more replica on ${node.name}, added under load`, undefined, 1).offloaded = true;
    }
  }

  const placements = order.flatMap((f) => placed.get(f.id) ?? []);
  return { placements, candidates, rates, bytes };
}

/** Spreads `total` records/s out over the flow's placements by their replicas. */
function fillRate(id: string, total: number, placements: Placement[], rates: Record<string, Record<string, number>>, bytes: Record<string, Record<string, number>>, bytesPerRecord: number) {
  const replicas = placements.reduce((s, p) => s + p.replicas, 0);
  rates[id] = Object.fromEntries(placements.map((p) => [p.node, replicas > 0 ? (total * p.replicas) / replicas : 0]));
  bytes[id] = Object.fromEntries(Object.entries(rates[id]).map(([node, rate]) => [node, rate * bytesPerRecord]));
}

function rank(a: Candidate, b: Candidate, tiers: string[]): number {
  if ((a.cost === undefined) !== (b.cost === undefined)) return a.cost === undefined ? 1 : -1;
  if (a.cost !== undefined && b.cost !== undefined && Math.abs(a.cost - b.cost) > 1e-9) return a.cost - b.cost;
  const tierDiff = tiers.indexOf(a.tier) - tiers.indexOf(b.tier);
  return tierDiff !== 0 ? tierDiff : a.node.localeCompare(b.node);
}

function infeasible(flow: FlowSpec, def: AnyOperatorDefinition, considered: Candidate[], limits: ReturnType<typeof policyLimits>, cause = 'no node fits'): PlanInfeasibleError {
  const limit = operatorLimit(def, limits);
  const policy = limit ? `; ${limit.dataClass} data may not go beyond tier ${limit.tier}` : '';
  const why = summariseRejections(considered);
  return new PlanInfeasibleError(flow.id, `cannot place '${flow.id}' (${flow.uses})${policy}: ${cause} — ${why || 'no candidate nodes'}`);
}

/** Why the nodes were rejected, one clause per reason with the nodes it holds for (a city has thousands of
 *  nodes rejected for the same reason: the line names a few and counts the rest). */
export function summariseRejections(considered: Candidate[], maxReasons = 6, maxNodes = 3): string {
  const byNote = new Map<string, Candidate[]>();
  for (const c of considered) {
    // Per-node numbers ("0.75 free") would split one reason into many: group on the text without them.
    const key = `${c.tier}\u0000${c.note.replace(/[0-9.]+ (free|MB free)/g, '')}`;
    const list = byNote.get(key);
    if (list) list.push(c);
    else byNote.set(key, [c]);
  }
  const clauses = [...byNote.values()].slice(0, maxReasons).map((cs) => {
    const names = cs.slice(0, maxNodes).map((c) => c.node).join(', ');
    const more = cs.length > maxNodes ? ` and ${cs.length - maxNodes} more` : '';
    return `${names}${more} (${cs[0]!.tier}): ${cs[0]!.note}`;
  });
  const rest = byNote.size > maxReasons ? `; and ${byNote.size - maxReasons} more reasons` : '';
  return clauses.join('; ') + rest;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
