// --explain: why each operator went where it went, and what the planner rejected on the way.
import type { Plan } from '../types.js';
import type { Candidate } from '../place.js';

/** `describe`: what an operator's config makes it do (its definition's `explain`), or null. */
export function renderExplanation(plan: Plan, candidates: Record<string, Candidate[]>, describe: (operator: string) => string | null = () => null): string {
  const lines = ['Why each operator runs where it does'];
  const seen = new Set<string>();
  for (const p of plan.placements) {
    lines.push(`  ${p.operator} (${p.uses}) -> ${p.node} [${p.tier}] x${p.replicas}: ${p.reason}`);
    if (seen.has(p.operator)) continue;
    seen.add(p.operator);
    const does = describe(p.operator);
    if (does) lines.push(`      does: ${does}`);
    for (const c of candidates[p.operator] ?? []) {
      if (c.node === p.node) continue;
      lines.push(`      ${c.cost === undefined ? 'rejected' : 'costlier'} ${c.node} [${c.tier}]: ${c.note}`);
    }
  }
  lines.push(...sharedPriorities(plan));
  return `${lines.join('\n')}\n`;
}

/** Nodes whose chains differ in priority: there, the higher priority takes the cores first (runtime/priority.ts). */
function sharedPriorities(plan: Plan): string[] {
  const out: string[] = [];
  for (const node of [...new Set(plan.chains.map((c) => c.node))]) {
    const chains = plan.chains.filter((c) => c.node === node);
    if (new Set(chains.map((c) => c.priority)).size < 2) continue;
    out.push(`  ${node}: flows of different priority share its worker (${chains.map((c) => `${c.id} ${c.priority}`).join(', ')}): under overload the higher priority is worked on first, the lower's frames wait and are dropped when stale`);
  }
  return out.length ? ['Priorities', ...out] : [];
}
