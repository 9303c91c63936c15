// --explain: why each operator went where it went, and what the planner rejected on the way.
import type { Plan } from '../types.js';
import type { Candidate } from '../place.js';

export function renderExplanation(plan: Plan, candidates: Record<string, Candidate[]>): string {
  const lines = ['Why each operator runs where it does'];
  const seen = new Set<string>();
  for (const p of plan.placements) {
    lines.push(`  ${p.operator} (${p.uses}) -> ${p.node} [${p.tier}] x${p.replicas}: ${p.reason}`);
    if (seen.has(p.operator)) continue;
    seen.add(p.operator);
    for (const c of candidates[p.operator] ?? []) {
      if (c.node === p.node) continue;
      lines.push(`      ${c.cost === undefined ? 'rejected' : 'costlier'} ${c.node} [${c.tier}]: ${c.note}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
