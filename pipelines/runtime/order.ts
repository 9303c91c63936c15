// Chains in data order: a chain comes after every chain that produces its input topic. Start-up, flushing and
// draining walk this order so records always move outward.
import type { Chain, Plan } from '../plan/types.js';

export function chainOrder(plan: Pick<Plan, 'chains'>): Chain[] {
  const producerOf = new Map<string, string[]>();
  for (const c of plan.chains) for (const o of c.outputs) producerOf.set(o.topic, [...(producerOf.get(o.topic) ?? []), c.id]);
  const done = new Set<string>();
  const out: Chain[] = [];
  const visit = (c: Chain, path: Set<string>) => {
    if (done.has(c.id) || path.has(c.id)) return;
    path.add(c.id);
    for (const up of c.inputTopic ? (producerOf.get(c.inputTopic) ?? []) : []) {
      const upstream = plan.chains.find((x) => x.id === up);
      if (upstream) visit(upstream, path);
    }
    done.add(c.id);
    out.push(c);
  };
  for (const c of plan.chains) visit(c, new Set());
  return out;
}
