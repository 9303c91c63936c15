// The compiler as a user meets it: the built CLI on malformed topologies, the default topology, a missing
// file, and the plan of the default topology (frames and crops never leave device/edge).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, repoRoot } from '../helpers/paths.js';
import type { Plan } from '../../pipelines/plan/types.js';

const badDir = join(repoRoot, 'test', 'topology', 'fixtures', 'bad');
const goodDir = join(repoRoot, 'test', 'topology', 'fixtures', 'good');
const defaultTopology = join(repoRoot, 'topology.yaml');

function tierflow(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertNoStack(text: string) {
  assert.doesNotMatch(text, /\n\s+at .+\(.+:\d+:\d+\)/, 'no stack trace');
  assert.doesNotMatch(text, /internal error/);
}

const fixtures = readdirSync(badDir).filter((f) => f.endsWith('.yaml')).sort();

test('at least 20 malformed topology fixtures', () => {
  assert.ok(fixtures.length >= 20, `only ${fixtures.length} fixtures`);
});

for (const name of fixtures) {
  test(`validate rejects ${name} at the right place`, () => {
    const file = join(badDir, name);
    const expect = /^# expect: (\d+):(\d+) (.+)$/m.exec(readFileSync(file, 'utf8'));
    assert.ok(expect, `${name} has no '# expect: <line>:<col> <substring>' comment`);
    const [, line, col, substring] = expect;
    const r = tierflow('validate', file);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assertNoStack(r.stderr);
    const located = r.stderr.split('\n').filter((l) => l.startsWith(`${file}:${line}:${col}: `));
    assert.ok(located.some((l) => l.includes(substring ?? '')), `expected ${line}:${col} '${substring}' in:\n${r.stderr}`);
  });
}

// Unusual but valid files: validate says valid in one line, and `# expect-placement: <flow> <node>...` lines say
// where plan --json puts an operator (every node listed holds a placement of it, and no other node does).
for (const name of readdirSync(goodDir).filter((f) => f.endsWith('.yaml')).sort()) {
  test(`validate and plan accept ${name}`, () => {
    const file = join(goodDir, name);
    const r = tierflow('validate', file);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.match(r.stdout, /: valid: topology /);
    const expectations = [...readFileSync(file, 'utf8').matchAll(/^# expect-placement: (\S+) (.+)$/gm)];
    if (expectations.length === 0) return;
    const p = tierflow('plan', file, '--json');
    assert.equal(p.status, 0, p.stderr);
    const plan = JSON.parse(p.stdout) as Plan;
    for (const [, flow, nodes] of expectations) {
      const placed = plan.placements.filter((x) => x.operator === flow).map((x) => x.node).sort();
      assert.deepEqual(placed, (nodes ?? '').split(/\s+/).sort(), `${flow} placed on ${placed.join(', ')}`);
    }
  });
}

test('the default topology validates with a one-line summary', () => {
  const r = tierflow('validate', defaultTopology);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 1);
  assert.match(r.stdout, /valid: topology face-gateway/);
});

test('a missing file is one line and a non-zero exit', () => {
  const r = tierflow('validate', join(repoRoot, 'no-such-topology.yaml'));
  assert.notEqual(r.status, 0);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /no-such-topology\.yaml: no such file/);
  assertNoStack(r.stderr);
});

test('usage errors are one line, exit 2', () => {
  for (const args of [['frobnicate'], ['plan', defaultTopology, '--graph', 'png'], ['validate']]) {
    const r = tierflow(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('plan --json keeps decode/detect/embed on device/edge and frames/crops inside edge', () => {
  const r = tierflow('plan', defaultTopology, '--json');
  assert.equal(r.status, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as Plan;
  const inner = new Set(['device', 'edge']);
  for (const op of ['decode', 'detect', 'embed']) {
    const placed = plan.placements.filter((p) => p.operator === op);
    assert.ok(placed.length > 0, `${op} placed`);
    for (const p of placed) assert.ok(inner.has(p.tier), `${op} on ${p.tier}`);
  }
  const sensitive = plan.topics.filter((t) => t.dataClass === 'frame' || t.dataClass === 'crop');
  assert.ok(sensitive.length > 0, 'the frames topic exists');
  for (const t of sensitive) assert.ok(inner.has(t.fromTier) && inner.has(t.toTier), `${t.name}: ${t.fromTier} -> ${t.toTier}`);
  // The plan moves less than shipping every camera to the cloud.
  const total = plan.links.reduce((s, l) => s + l.bytesPerSecond, 0);
  const intoCloud = plan.links.filter((l) => l.to === 'cloud-1').reduce((s, l) => s + l.bytesPerSecond, 0);
  assert.ok(intoCloud < plan.allInCloud.bytesPerSecond / 10, `${intoCloud} B/s into the cloud`);
  assert.ok(total > 0);
});

test('plan renders a table, an explanation and graphs', () => {
  const table = tierflow('plan', defaultTopology, '--explain');
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /OPERATOR\s+USES\s+NODE\s+TIER\s+REPLICAS/);
  assert.match(table.stdout, /ALL IN CLOUD/);
  assert.match(table.stdout, /embed \(embed@1\) -> gateway \[edge\]/);
  assert.match(table.stdout, /rejected cloud-1 \[cloud\]: policy keeps crop data/);
  const mermaid = tierflow('plan', defaultTopology, '--graph', 'mermaid');
  assert.match(mermaid.stdout, /^flowchart LR/);
  assert.match(mermaid.stdout, /subgraph tier__edge\["edge"\]/);
  const dot = tierflow('plan', defaultTopology, '--graph', 'dot');
  assert.match(dot.stdout, /subgraph cluster_tier__cloud/);
  assert.match(dot.stdout, /match__gateway -> aggregate__cloud_1 \[label="matches"\]/);
});

test('topology.yaml points editors at the generated schema', () => {
  assert.equal(readFileSync(defaultTopology, 'utf8').split('\n')[0], '# yaml-language-server: $schema=./topology.schema.json');
});
