import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTopology, parseWithPositions, formatPath, readTopologyFile } from './parse.js';
import { isTierflowError } from '../errors.js';

const doc = `name: x
nodes:
  - name: a
    cpu: 2
flows:
  - { id: f, inputs: [one, two] }
`;

test('any YAML path maps to the line:col of its value, or of its key', () => {
  const p = parseTopology(doc, 't.yaml');
  assert.deepEqual(p.problems, []);
  assert.deepEqual(p.locate(['nodes', 0, 'cpu']), { line: 4, col: 10 });
  assert.deepEqual(p.locate(['nodes', 0, 'cpu'], 'key'), { line: 4, col: 5 });
  assert.deepEqual(p.locate(['flows', 0, 'inputs', 1]), { line: 6, col: 28 });
  // A missing key points at the mapping that should hold it.
  assert.deepEqual(p.locate(['nodes', 0, 'memory']), { line: 3, col: 5 });
});

test('paths print as people write them', () => {
  assert.equal(formatPath(['flows', 2, 'inputs', 0]), 'flows[2].inputs[0]');
  assert.equal(formatPath([]), '(document)');
});

test('syntax errors, empty and non-mapping documents are problems at their position', () => {
  assert.equal(parseTopology('name: [x\n', 'a.yaml').problems.length, 1);
  assert.match(parseTopology('', 'a.yaml').problems[0]?.message ?? '', /empty/);
  assert.deepEqual(parseTopology('\n\n- a\n', 'a.yaml').problems.map((p) => [p.line, p.col]), [[3, 1]]);
});

test('a missing file is FILE_NOT_FOUND with one line', () => {
  assert.throws(() => readTopologyFile('/nonexistent/topology.yaml'), (e: unknown) => isTierflowError(e) && e.code === 'FILE_NOT_FOUND' && !e.message.includes('\n'));
});

const composeStyle = `name: x
x-node: &node { tier: device, cpu: 1, memory: 1024, labels: { site: "Sé" } }
nodes:
  - { <<: *node, name: a }
  - <<: [*node]
    name: b
    cpu: 2
  - *node
flows: ~
`;

test('merge keys: data as compose merges it, and a merged value is located where it is written', () => {
  const p = parseTopology(composeStyle, 't.yaml');
  assert.deepEqual(p.problems, []);
  const nodes = (p.data as { nodes: Array<Record<string, unknown>> }).nodes;
  assert.deepEqual(nodes[1], { tier: 'device', cpu: 2, memory: 1024, labels: { site: 'Sé' }, name: 'b' });
  assert.deepEqual(p.locate(['nodes', 0, 'cpu']), { line: 2, col: 36 }, 'inside the anchor');
  assert.deepEqual(p.locate(['nodes', 1, 'cpu']), { line: 7, col: 10 }, 'the explicit key wins');
  assert.deepEqual(p.locate(['nodes', 2, 'memory']), { line: 2, col: 47 }, 'through a plain alias');
});

test('the fast reader (js-yaml) and the positioned one (yaml) read the same data', () => {
  for (const doc of [composeStyle, '\ufeffname: x\r\nn: [1, 0x1F, 1_000, .5, -.inf, true, True, null, ~, "2021-01-01", 2021-01-01, 0o17]\r\n']) {
    const fast = parseTopology(doc, 't.yaml');
    const slow = parseWithPositions(doc, 't.yaml');
    assert.deepEqual(fast.data, slow.data);
  }
});

test('alias problems are positioned: unknown, self-containing, and exponential', () => {
  assert.match(parseTopology('a: 1\nb: *nope\n', 't.yaml').problems[0]?.message ?? '', /unknown alias \*nope/);
  assert.deepEqual(parseTopology('a: &a [*a]\n', 't.yaml').problems.map((p) => [p.line, p.col]), [[1, 8]]);
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefg'[i]}`).join(', ')}]`)].join('\n');
  assert.match(parseTopology(`${bomb}\n`, 't.yaml').problems[0]?.message ?? '', /expand to too much data/);
});
