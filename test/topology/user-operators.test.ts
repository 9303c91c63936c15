// Operators of the user's own (`uses: ./path@N`, or a package installed beside the topology): validate, plan and
// docs treat them as they treat tierflow's, and each way a module can be missing or wrong is one line at the flow's
// `uses`, file:line:col, exit 2. The modules here are written at test time and import tierflow's public API by file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/paths.js';
import { tempDir, tierflow } from '../helpers/deploy.js';

const api = pathToFileURL(join(repoRoot, 'dist', 'api', 'index.js')).href;

/** A transform of readings into readings, named `name`, at `version`. */
const operatorModule = (name: string, version = 1) => `import { defineOperator, READINGS, Type } from '${api}';
export default defineOperator({
  name: '${name}', version: ${version}, summary: 'Doubles each reading.',
  config: Type.Object({ factor: Type.Number({ default: 2, description: 'What each value is multiplied by' }) }, { additionalProperties: false }),
  input: READINGS, output: READINGS, tiers: ['edge', 'cloud'],
  resources: { cpu: 0.05, memoryMB: 16, arch: ['amd64', 'arm64'] }, bytesPerRecord: 80,
  create: async (config) => ({ kind: 'transform', process: async (batch, emit) => { for (const r of batch) emit({ ...r, value: r.value * config.factor }); } }),
});
`;

const topology = (uses: string, extra = '') => `name: own-ops
tiers: [device, edge, cloud]
nodes:
  - { name: hub, tier: device, arch: arm64, cpu: 1, memory: 512 }
  - { name: gw, tier: edge, arch: amd64, cpu: 2, memory: 2048 }
links:
  - { from: device, to: edge, latencyMs: 2, bandwidthMbps: 100 }
sources:
  - { name: hall, url: "mqtt://127.0.0.1:1883/sensors/#", node: hub }
flows:
  - { id: readings, uses: mqtt@1, inputs: [hall], placement: { near: source } }
  - id: double
    uses: ${uses}
    inputs: [readings]
${extra}`;

function project(files: Record<string, string>): string {
  const dir = tempDir('tierflow-own-ops-');
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** The one line validate prints, with its position, for a topology in a project of these files. */
async function oneLine(files: Record<string, string>): Promise<string> {
  const dir = project(files);
  const r = await tierflow(['validate', join(dir, 'topology.yaml')]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.deepEqual(lines.slice(1), ['tierflow: 1 problem found'], r.stderr);
  assert.ok(lines[0]!.startsWith(`${join(dir, 'topology.yaml')}:13:11: flows[1].uses: `), r.stderr);
  return lines[0]!;
}

test('an operator from the project: validate, plan --json (its module listed) and docs treat it as a built-in', async () => {
  const dir = project({ 'ops/double/index.js': operatorModule('double'), 'topology.yaml': topology('./ops/double@1', '    config: { factor: 3 }\n') });
  const file = join(dir, 'topology.yaml');
  const v = await tierflow(['validate', file]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /valid: topology own-ops, .* 2 flows -> 2 placements/);
  const plan = JSON.parse((await tierflow(['plan', file, '--json'])).stdout) as { placements: Array<{ operator: string; uses: string; tier: string }>; operatorModules: string[]; configs: Record<string, unknown> };
  assert.deepEqual(plan.placements.map((p) => [p.operator, p.uses]), [['readings', 'mqtt@1'], ['double', 'double@1']]);
  assert.deepEqual(plan.operatorModules, [pathToFileURL(join(dir, 'ops', 'double', 'index.js')).href]);
  assert.deepEqual(plan.configs['double'], { factor: 3 });
  const out = join(dir, 'docs');
  const d = await tierflow(['docs', file, '--out', out]);
  assert.equal(d.code, 0, d.stderr);
  assert.match(readFileSync(join(out, 'operators.md'), 'utf8'), /## double@1\n\nDoubles each reading\.[\s\S]*\| `factor` \| a number \| `2` \| What each value is multiplied by \|/);
  const schema = readFileSync(join(out, 'topology.schema.json'), 'utf8');
  assert.match(schema, /"const": "double@1"/);
  // Its config is checked like a built-in's.
  const bad = project({ 'ops/double/index.js': operatorModule('double'), 'topology.yaml': topology('./ops/double@1', '    config: { factor: "three" }\n') });
  const r = await tierflow(['validate', join(bad, 'topology.yaml')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /:15:\d+: flows\[1\]\.config\.factor: .*number/);
});

test('an operator from an npm package installed beside the topology', async () => {
  const dir = project({
    'node_modules/@acme/doubler/package.json': JSON.stringify({ name: '@acme/doubler', type: 'module', exports: { '.': { import: './lib/index.js' } } }),
    'node_modules/@acme/doubler/lib/index.js': operatorModule('acme-double'),
    'topology.yaml': topology('"@acme/doubler@1"'), // YAML wants a value starting with @ quoted
  });
  const plan = JSON.parse((await tierflow(['plan', join(dir, 'topology.yaml'), '--json'])).stdout) as { placements: Array<{ uses: string }> };
  assert.deepEqual(plan.placements.map((p) => p.uses), ['mqtt@1', 'acme-double@1']);
});

test('a missing module, a module that exports no definition, a wrong version, a clash with a built-in, TypeScript not built: one line each', async () => {
  assert.match(await oneLine({ 'topology.yaml': topology('./ops/nope@1') }), /operator module .*\/ops\/nope: no such file or folder$/);
  assert.match(await oneLine({ 'ops/x.js': 'export default { hello: 1 };\n', 'topology.yaml': topology('./ops/x.js@1') }), /operator module file:.*\/ops\/x\.js must export by default an operator definition \(name, version, create\) or a list of them$/);
  assert.match(await oneLine({ 'ops/x.js': 'export default ;\n', 'topology.yaml': topology('./ops/x.js@1') }), /operator module file:.*\/ops\/x\.js cannot be loaded: Unexpected token ';'$/);
  assert.match(await oneLine({ 'ops/double/index.js': operatorModule('double'), 'topology.yaml': topology('./ops/double@2') }), /\.\/ops\/double has no operator at version 2 \(it exports double@1\)$/);
  assert.match(await oneLine({ 'ops/d/index.js': operatorModule('detect'), 'topology.yaml': topology('./ops/d@1') }), /\.\/ops\/d defines detect@1, which tierflow already has: give the operator another name$/);
  assert.match(
    await oneLine({ 'tsconfig.json': '{ // comments, as tsc --init writes them\n "compilerOptions": { "outDir": "build" } }\n', 'ops/t/index.ts': 'export default {};\n', 'topology.yaml': topology('./ops/t@1') }),
    /operator module .*\/ops\/t\/index\.ts is TypeScript and its build .*\/build\/ops\/t\/index\.js is missing: build it \(npx tsc -p .*tsconfig\.json\)$/,
  );
});

test('a source operator refuses a source of a scheme it does not read, at the input', async () => {
  const dir = project({ 'topology.yaml': topology('decode@1').replace('  - { id: readings, uses: mqtt@1, inputs: [hall], placement: { near: source } }\n', '').replace('inputs: [readings]', 'inputs: [hall]') });
  const r = await tierflow(['validate', join(dir, 'topology.yaml')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /:9:\d+: sources\[0\]\.url: a mqtt: source, but 'double' \(decode@1\) reads rtsp:, rtsps:, file:, demo: sources/);
});
