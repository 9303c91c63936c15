import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bestThreshold, crossValidate, parsePairs } from './verification.js';
import { sharedData } from '../../test/helpers/paths.js';

void test('parses the real pairs.txt into 10 folds of 300 same and 300 different pairs', () => {
  const pairs = parsePairs(readFileSync(join(sharedData, 'lfw', 'pairs.txt'), 'utf8'));
  assert.equal(pairs.length, 6000);
  assert.deepEqual(pairs[0], { a: 'Abel_Pacheco/Abel_Pacheco_0001.jpg', b: 'Abel_Pacheco/Abel_Pacheco_0004.jpg', same: true, fold: 0 });
  for (let fold = 0; fold < 10; fold++) {
    const inFold = pairs.filter((p) => p.fold === fold);
    assert.equal(inFold.filter((p) => p.same).length, 300);
    assert.equal(inFold.filter((p) => !p.same).length, 300);
  }
  assert.throws(() => parsePairs('10\t300\nA\t1\t2\n'), /header says/);
});

void test('the threshold separates perfectly separable distances', () => {
  const t = bestThreshold([{ distance: 0.2, same: true }, { distance: 0.4, same: true }, { distance: 0.8, same: false }, { distance: 0.9, same: false }]);
  assert.ok(t > 0.4 && t < 0.8);
});

void test('each fold is judged with a threshold from the other folds; missing distances count as wrong', () => {
  const pairs = [];
  for (let fold = 0; fold < 3; fold++) {
    pairs.push({ fold, distance: 0.3, same: true }, { fold, distance: 0.7, same: false });
  }
  pairs.push({ fold: 2, distance: NaN, same: true }, { fold: 2, distance: NaN, same: false });
  const v = crossValidate(pairs);
  assert.deepEqual(v.folds.map((f) => f.accuracy), [1, 1, 2 / 4]);
  assert.ok(Math.abs(v.mean - 5 / 6) < 1e-12);
  assert.ok(v.std > 0);
});
