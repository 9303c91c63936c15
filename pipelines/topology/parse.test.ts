import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTopology, formatPath, readTopologyFile } from './parse.js';
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
