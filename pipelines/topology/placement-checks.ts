// Placement checks that need no planning: pins on tiers or nodes the operator cannot use, pins beyond a data
// class's policy tier, fixed placements that overflow a node, and nodes no route reaches.
import type { Topology } from './schema.js';
import type { OperatorsByFlow } from './graph-checks.js';
import { finding, type Finding } from './finding.js';
import { operatorLimit, policyLimits, runsOnTier } from '../plan/policy.js';
import { buildNetwork } from '../plan/network.js';
import { spreadReplicas } from '../plan/spread.js';

/** `reported`: nodes whose cameras were already reported as beyond policy (source-checks.ts). */
export function placementProblems(t: Topology, byFlow: OperatorsByFlow, reported: ReadonlySet<string> = new Set()): Finding[] {
  const out: Finding[] = [];
  const limits = policyLimits(t);
  const tierIndex = (tier: string) => t.tiers.indexOf(tier);
  const nodeByName = new Map(t.nodes.map((n) => [n.name, n]));
  const sourceNode = new Map(t.sources.map((s) => [s.name, s.node]));
  const used = new Map<string, { cpu: number; memory: number }>();

  t.flows.forEach((flow, i) => {
    const def = byFlow.get(flow.id);
    if (!def) return;
    const p = flow.placement;
    const limit = operatorLimit(def, limits);
    const beyondPolicy = (tier: string) => limit !== undefined && tierIndex(tier) > limit.tierIndex;
    const policyText = (tier: string) => `${def.name}@${def.version} handles ${limit?.dataClass} data, which policy keeps at or inside tier '${limit?.tier}'; '${tier}' is beyond it`;
    const reserve = (nodeName: string, path: Array<string | number>) => {
      const node = nodeByName.get(nodeName);
      if (!node) return;
      const u = used.get(nodeName) ?? { cpu: 0, memory: 0 };
      u.cpu += def.resources.cpu * flow.replicas;
      u.memory += def.resources.memoryMB * flow.replicas;
      used.set(nodeName, u);
      if (u.cpu > node.cpu + 1e-9) out.push(finding(path, `node '${nodeName}' has ${node.cpu} cpu; fixed placements there need ${Math.round(u.cpu * 100) / 100} (this one: ${def.resources.cpu} x ${flow.replicas} replicas)`));
      else if (u.memory > node.memory) out.push(finding(path, `node '${nodeName}' has ${node.memory} MB; fixed placements there need ${u.memory} MB (this one: ${def.resources.memoryMB} MB x ${flow.replicas} replicas)`));
    };

    if (typeof p === 'object' && 'tier' in p) {
      const path = ['flows', i, 'placement', 'tier'];
      if (tierIndex(p.tier) < 0) return;
      if (!runsOnTier(def, p.tier)) out.push(finding(path, `${def.name}@${def.version} does not run on tier '${p.tier}' (supported: ${def.tiers.join(', ')})`));
      else if (beyondPolicy(p.tier)) out.push(finding(path, policyText(p.tier)));
      else {
        const nodes = t.nodes.filter((n) => n.tier === p.tier);
        const need = { cpu: def.resources.cpu, memory: def.resources.memoryMB };
        // A transform's replicas are spread over the tier's nodes (docs/planner.md); a source operator's stay together.
        const fits = def.input !== null
          ? spreadReplicas(flow.replicas, nodes.map((n) => ({ name: n.name, room: { cpu: n.cpu, memory: n.memory } })), need) !== undefined
          : nodes.some((n) => n.cpu >= need.cpu * flow.replicas && n.memory >= need.memory * flow.replicas);
        const total = `${round(need.cpu * flow.replicas)} cpu and ${need.memory * flow.replicas} MB for ${flow.replicas} replica(s) of ${def.name}@${def.version}`;
        if (nodes.length === 0) out.push(finding(path, `tier '${p.tier}' has no nodes`));
        else if (!fits && def.input !== null) out.push(finding(path, `the nodes of tier '${p.tier}' together cannot hold ${total} (${need.cpu} cpu and ${need.memory} MB each)`));
        else if (!fits) out.push(finding(path, `no node in tier '${p.tier}' has ${total}`));
      }
    } else if (typeof p === 'object' && 'node' in p) {
      const path = ['flows', i, 'placement', 'node'];
      const node = nodeByName.get(p.node);
      if (!node) return;
      if (!runsOnTier(def, node.tier)) out.push(finding(path, `${def.name}@${def.version} does not run on tier '${node.tier}' of node '${node.name}' (supported: ${def.tiers.join(', ')})`));
      else if (!def.resources.arch.includes(node.arch)) out.push(finding(path, `${def.name}@${def.version} does not run on ${node.arch} (node '${node.name}'; supported: ${def.resources.arch.join(', ')})`));
      else if (def.resources.accelerator && !node.accelerators.includes(def.resources.accelerator)) out.push(finding(path, `${def.name}@${def.version} needs a ${def.resources.accelerator}; node '${node.name}' has none`));
      else if (beyondPolicy(node.tier)) out.push(finding(path, policyText(node.tier)));
      else reserve(node.name, path);
    } else if (typeof p === 'object' && 'near' in p && def.input === null) {
      const nodes = new Set(flow.inputs.map((s) => sourceNode.get(s)).filter((n): n is string => n !== undefined));
      for (const name of [...nodes].sort()) {
        const node = nodeByName.get(name);
        if (!node || reported.has(name)) continue;
        const path = ['flows', i, 'placement', 'near'];
        if (!runsOnTier(def, node.tier)) out.push(finding(path, `${def.name}@${def.version} does not run on tier '${node.tier}' of source node '${name}'`));
        else if (beyondPolicy(node.tier)) out.push(finding(path, policyText(node.tier)));
        else reserve(name, path);
      }
    }
  });
  return out;
}

/** Every node must reach every other: a plan cannot move data over a link nobody declared. */
export function unreachableNodes(t: Topology): Finding[] {
  const net = buildNetwork(t);
  const first = t.nodes[0];
  if (!first) return [];
  const out: Finding[] = [];
  t.nodes.forEach((n, i) => {
    if (n !== first && !net.route(first.name, n.name)) {
      out.push(finding(['nodes', i, 'name'], `no route between '${first.name}' (${first.tier}) and '${n.name}' (${n.tier}): add a link between their nodes or tiers`));
    }
  });
  return out;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
