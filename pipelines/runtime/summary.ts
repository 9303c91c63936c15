// Which operators the run summary reads: frames are counted where sources emit them, and end-to-end latency
// where the last per-frame record is produced (events close with windows, so their age says nothing about speed).
import type { Plan } from '../plan/types.js';
import type { AnyOperatorDefinition } from '../operator.js';
import { chainOrder } from './order.js';

export function sourceOperators(plan: Pick<Plan, 'chains'>): string[] {
  return plan.chains.filter((c) => c.sources.length > 0).map((c) => c.operators[0]!);
}

export function summaryOperator(plan: Pick<Plan, 'chains' | 'placements'>, lookup: (uses: string) => AnyOperatorDefinition): string | undefined {
  const usesOf = new Map(plan.placements.map((p) => [p.operator, p.uses]));
  let last: string | undefined;
  for (const chain of chainOrder(plan))
    for (const op of chain.operators) {
      const output = lookup(usesOf.get(op)!).output;
      if (output !== null && !output.windowed) last = op;
    }
  return last;
}
