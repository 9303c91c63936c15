// `tierflow docs <topology> --out <dir>`: the operator reference (operators.md) and the editor's JSON Schema
// (topology.schema.json) for the operators a topology can use: tierflow's and the topology's own, alike.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { compileTopology } from '../compile.js';
import { registry } from '../../registry.js';
import { renderOperatorDocs } from '../operator-docs.js';
import { topologyJsonSchema } from '../gen.js';

export function registerDocs(program: Command): void {
  program
    .command('docs')
    .description("write operators.md and topology.schema.json for tierflow's operators and the topology's own")
    .argument('<file>', 'topology YAML file')
    .requiredOption('--out <dir>', 'folder to write them to')
    .action(async (file: string, flags: { out: string }) => {
      await compileTopology(file);
      const { operators } = registry();
      mkdirSync(flags.out, { recursive: true });
      writeFileSync(join(flags.out, 'operators.md'), renderOperatorDocs(operators, `\`tierflow docs ${file}\``));
      writeFileSync(join(flags.out, 'topology.schema.json'), topologyJsonSchema(operators));
      process.stdout.write(`${flags.out}: operators.md and topology.schema.json for ${operators.length} operators (${operators.map((o) => `${o.name}@${o.version}`).join(', ')})\n`);
    });
}
