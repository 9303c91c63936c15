// `tierflow validate <file>`: every problem at file:line:col (exit 2), or one line saying what is valid.
import type { Command } from 'commander';
import { compileTopology } from '../compile.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a topology: schema, operators, graph, placement, policies and secrets; nothing starts')
    .argument('<file>', 'topology YAML file')
    .action(async (file: string) => {
      const { valid, plan } = await compileTopology(file);
      const t = valid.topology;
      const nodes = new Set(plan.placements.map((p) => p.node)).size;
      process.stdout.write(
        `${file}: valid: topology ${t.name}, ${t.tiers.length} tiers, ${t.nodes.length} nodes, ${t.sources.length} sources, ${t.flows.length} flows ` +
          `-> ${plan.placements.length} placements on ${nodes} nodes, ${plan.chains.length} chains, ${plan.topics.length} topics\n`,
      );
    });
}
