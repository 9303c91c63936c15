// The flows as a graph: operator definitions by flow id, and a deterministic topological order.
import type { AnyOperatorDefinition } from '../operator.js';
import type { FlowSpec, Topology } from '../topology/schema.js';

export function operatorsByFlow(t: Pick<Topology, 'flows'>, operators: readonly AnyOperatorDefinition[]): Map<string, AnyOperatorDefinition> {
  const out = new Map<string, AnyOperatorDefinition>();
  for (const flow of t.flows) {
    const [name, version] = flow.uses.split('@');
    const def = operators.find((op) => op.name === name && String(op.version) === version);
    if (def) out.set(flow.id, def);
  }
  return out;
}

/** Upstream before downstream; among ready flows, declaration order. Flows in a cycle are left out. */
export function topologicalFlows(t: Pick<Topology, 'flows'>): FlowSpec[] {
  const ids = new Set(t.flows.map((f) => f.id));
  const done = new Set<string>();
  const out: FlowSpec[] = [];
  for (let progress = true; progress; ) {
    progress = false;
    for (const flow of t.flows) {
      if (done.has(flow.id)) continue;
      if (flow.inputs.every((i) => !ids.has(i) || done.has(i))) {
        done.add(flow.id);
        out.push(flow);
        progress = true;
      }
    }
  }
  return out;
}

/** Flow ids that read the output of `id`. */
export function consumersOf(t: Pick<Topology, 'flows'>, id: string): FlowSpec[] {
  return t.flows.filter((f) => f.inputs.includes(id));
}
