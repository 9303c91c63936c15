import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dedupe, recoverySec, resultsOf, tally, type Delivered } from './tally.js';

const d = (key: string, at: number, content = 'A@0,0,1,1'): Delivered => ({ key, at, content });

test('a replayed wave counts as raw duplicates, nothing lost, nothing left after keep-first', () => {
  const expected = new Set(['c/0/0', 'c/1/0', 'c/1/1']);
  const t = tally(expected, [d('c/0/0', 1), d('c/1/0', 2), d('c/0/0', 5), d('c/1/0', 6), d('c/1/1', 7)]);
  assert.deepEqual(t, { expected: 3, delivered: 3, lost: 0, rawDuplicates: 2, duplicated: 0, conflicting: 0, unexpected: 0 });
});

test('missing keys are lost, foreign keys unexpected, a replay with another answer conflicting', () => {
  const t = tally(new Set(['c/0/0', 'c/1/0']), [d('c/0/0', 1), d('c/0/0', 2, 'B@0,0,1,1'), d('c/9/0', 3)]);
  assert.equal(t.lost, 1);
  assert.equal(t.unexpected, 1);
  assert.equal(t.conflicting, 1);
});

test('dedupe keeps the first delivery; recovery is the wait for the first delivery after the fault', () => {
  assert.deepEqual(dedupe([d('k', 1), d('k', 2), d('j', 3)]).map((x) => x.at), [1, 3]);
  assert.equal(recoverySec([d('k', 1000), d('j', 4500)], 2000), 2.5);
  assert.equal(recoverySec([d('k', 1000)], 2000), null);
});

test('each face of a matches record is one result', () => {
  const rs = resultsOf({ camera: 'cam-1', epoch: 'e0', seq: 7, captureTs: 0, faces: [0, 1].map((index) => ({ index, box: [1.2, 2, 3, 4], score: 1, identity: index ? null : 'A', distance: 0.3, clusterId: null, track: 0, carried: false })) }, 9);
  assert.deepEqual(rs.map((r) => [r.key, r.content]), [['cam-1/0/7/0', 'A@1,2,3,4'], ['cam-1/0/7/1', '?@1,2,3,4']]);
});
