import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CROP_SCALE, cropBoxFor } from './crop.js';

void test('the crop is a square of 1.5x the longer box side, centred on the box', () => {
  assert.equal(CROP_SCALE, 1.5);
  assert.deepEqual(cropBoxFor([100, 100, 40, 60], 1000, 1000), [75, 85, 90, 90]);
});

void test('at frame edges the crop is clamped to the frame, not shifted', () => {
  assert.deepEqual(cropBoxFor([0, 5, 40, 40], 100, 60), [0, 0, 50, 55]);
  assert.deepEqual(cropBoxFor([-50, -50, 10, 10], 100, 100), [0, 0, 0, 0]);
});
