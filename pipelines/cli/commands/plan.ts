// `tierflow plan <file>`: where every operator runs and what crosses the network, as a table, an explanation,
// a graph, or the plan JSON that the runtime and deploy read.
import { Option, type Command } from 'commander';
import { compileTopology } from '../compile.js';
import { renderPlanTable } from '../../plan/render/table.js';
import { renderExplanation } from '../../plan/render/explain.js';
import { renderDot, renderMermaid } from '../../plan/render/graph.js';
import { registry } from '../../registry.js';
import type { Plan } from '../../plan/types.js';

/** The operator's own account of its config (its definition's `explain`). */
function explainConfig(plan: Plan, operator: string): string | null {
  const uses = plan.placements.find((p) => p.operator === operator)?.uses;
  const def = uses ? registry().find(uses) : undefined;
  return def?.explain?.(plan.configs[operator] as never) ?? null;
}

interface PlanOptions {
  json?: boolean;
  explain?: boolean;
  graph?: 'mermaid' | 'dot';
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('place operators on nodes and derive chains, topics and traffic')
    .argument('<file>', 'topology YAML file')
    .option('--json', 'print the plan as JSON')
    .option('--explain', 'say why each operator went where it went, with the nodes rejected')
    .addOption(new Option('--graph <format>', 'draw the flow with tiers as clusters').choices(['mermaid', 'dot']))
    .action(async (file: string, opts: PlanOptions) => {
      const { plan, decisions } = await compileTopology(file);
      let text: string;
      if (opts.json) text = JSON.stringify(plan, null, 2);
      else if (opts.graph === 'mermaid') text = renderMermaid(plan);
      else if (opts.graph === 'dot') text = renderDot(plan);
      else text = opts.explain ? `${renderPlanTable(plan)}\n${renderExplanation(plan, decisions.candidates, (op) => explainConfig(plan, op))}` : renderPlanTable(plan);
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    });
}
