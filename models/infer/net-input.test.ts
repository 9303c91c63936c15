import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reshapedDimensions, squarePadding, toNetInput } from './net-input.js';

void test('padding follows face-api: detectors pad bottom/right, centred inputs put the odd pixel after', () => {
  assert.deepEqual(squarePadding(640, 480, false), { side: 640, left: 0, top: 0 });
  assert.deepEqual(squarePadding(640, 481, true), { side: 640, left: 0, top: 79 });
  assert.deepEqual(squarePadding(101, 200, true), { side: 200, left: 49, top: 0 });
  assert.deepEqual(reshapedDimensions(640, 481, 416), { width: 416, height: 313 });
});

void test('resizing samples like tf.image.resizeBilinear without half-pixel centres; padding is zero', () => {
  // 4 wide x 2 high, grey value = 10 * x + y; padded to 4x4 (bottom) then halved: samples rows/cols 0 and 2.
  const data = new Uint8Array(4 * 2 * 3);
  for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) data.fill(10 * x + y, (y * 4 + x) * 3, (y * 4 + x) * 3 + 3);
  const out = toNetInput({ data, width: 4, height: 2 }, 2, false);
  assert.deepEqual(Array.from(out.filter((_, i) => i % 3 === 0)), [0, 20, 0, 0]);
  const up = toNetInput({ data, width: 4, height: 2 }, 8, false);
  assert.equal(up[(0 * 8 + 1) * 3], 5, 'halfway between x=0 and x=1');
});
