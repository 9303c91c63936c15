// Generated files, from the schema code that is their single source of truth: topology.schema.json (for
// editors, with each flow's config checked against its operator) and docs/operators.md. `--check` fails
// (exit 1) naming any committed copy that is stale, for CI.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TopologySpec } from '../topology/schema.js';
import { packageRoot } from '../package-root.js';
import { installBuiltinOperators, registry } from '../registry.js';
import { renderOperatorDocs } from './operator-docs.js';
import type { AnyOperatorDefinition } from '../operator.js';
import { streamsOf } from '../streams/registry.js';
import { streamAvsc } from './commands/schemas.js';

export function topologyJsonSchema(operators: readonly AnyOperatorDefinition[]): string {
  const schema = JSON.parse(JSON.stringify(TopologySpec)) as { properties: { flows: { items: Record<string, unknown> } } };
  schema.properties.flows.items['allOf'] = operators.map((op) => ({
    if: { properties: { uses: { const: `${op.name}@${op.version}` } }, required: ['uses'] },
    then: { properties: { config: JSON.parse(JSON.stringify(op.config)) as unknown } },
  }));
  return `${JSON.stringify(optionalWhenDefaulted({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema }), null, 2)}\n`;
}

/** Validation applies defaults before checking `required`; an editor does not, so defaulted keys are optional to it. */
function optionalWhenDefaulted(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(optionalWhenDefaulted);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = optionalWhenDefaulted(v);
  const props = out['properties'] as Record<string, { default?: unknown }> | undefined;
  if (props && Array.isArray(out['required'])) {
    out['required'] = (out['required'] as string[]).filter((key) => props[key]?.default === undefined);
  }
  return out;
}

export function generatedFiles(): Record<string, string> {
  const { operators } = registry();
  return {
    'topology.schema.json': topologyJsonSchema(operators),
    'docs/operators.md': renderOperatorDocs(operators),
    ...Object.fromEntries([...streamsOf(operators).values()].map((s) => [`docs/schemas/${s.name}.avsc`, streamAvsc(s)])),
  };
}

function repoRoot(): string {
  const root = packageRoot();
  if (!root) throw new Error('no tierflow package.json above the generator');
  return root;
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const root = repoRoot();
  const stale: string[] = [];
  for (const [rel, text] of Object.entries(generatedFiles())) {
    const path = join(root, rel);
    const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (current === text) continue;
    if (check) {
      stale.push(rel);
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      process.stdout.write(`wrote ${rel}\n`);
    }
  }
  if (stale.length > 0) {
    process.stderr.write(`tierflow gen: stale generated file(s): ${stale.join(', ')}; run: node dist/pipelines/cli/gen.js\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await installBuiltinOperators();
  process.exitCode = main(process.argv.slice(2));
}
