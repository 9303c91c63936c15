import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySimilarity, fitSimilarity, invertSimilarity, scaleOf, type Point } from './similarity.js';

const square: Point[] = [[0, 0], [10, 0], [10, 10], [0, 10], [5, 3]];

function close(a: number, b: number, eps = 1e-9): void {
  assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);
}

void test('recovers a known rotation, scale and translation exactly', () => {
  const theta = 0.3, s = 2.5;
  const truth = { a: s * Math.cos(theta), b: s * Math.sin(theta), tx: 7, ty: -4 };
  const moved = square.map((p) => applySimilarity(truth, p));
  const fit = fitSimilarity(square, moved);
  close(fit.a, truth.a); close(fit.b, truth.b); close(fit.tx, truth.tx); close(fit.ty, truth.ty);
  close(scaleOf(fit), s);
});

void test('is the least-squares fit when points are noisy', () => {
  const target: Point[] = square.map(([x, y], i) => [x * 2 + 1 + (i % 2 ? 0.2 : -0.2), y * 2 - 3]);
  const fit = fitSimilarity(square, target);
  const err = (t: typeof fit) => square.reduce((sum, p, i) => {
    const q = applySimilarity(t, p);
    return sum + (q[0] - target[i]![0]) ** 2 + (q[1] - target[i]![1]) ** 2;
  }, 0);
  for (const d of [1e-3, -1e-3]) {
    assert.ok(err(fit) <= err({ ...fit, a: fit.a + d }));
    assert.ok(err(fit) <= err({ ...fit, b: fit.b + d }));
    assert.ok(err(fit) <= err({ ...fit, tx: fit.tx + d }));
  }
});

void test('never reflects: a mirrored set yields a pure similarity, not a flip', () => {
  const mirrored: Point[] = square.map(([x, y]) => [-x, y]);
  const fit = fitSimilarity(square, mirrored);
  const q = applySimilarity(fit, [10, 0]);
  assert.ok(Math.hypot(q[0] + 10, q[1]) > 1, 'a reflection would map (10,0) to (-10,0)');
});

void test('inverse undoes the transform', () => {
  const t = { a: 1.2, b: -0.4, tx: 3, ty: 9 };
  const back = applySimilarity(invertSimilarity(t), applySimilarity(t, [4, -2]));
  close(back[0], 4); close(back[1], -2);
});

void test('rejects degenerate input', () => {
  assert.throws(() => fitSimilarity([[1, 1], [1, 1]], [[0, 0], [1, 1]]), RangeError);
  assert.throws(() => fitSimilarity([[1, 1]], [[0, 0]]), RangeError);
});
