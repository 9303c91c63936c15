import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameBytes, qualityFactor } from './frame-bytes.js';

test('a frame is estimated from its pixels, its JPEG quality and the detail of its scene', () => {
  // The clip at 640x360, quality 85, as decode encodes it: 9,880 bytes of JPEG on average (a low-detail scene).
  assert.equal(frameBytes('640x360', 85, 'low'), Math.round((640 * 360 * 0.34) / 8) + 64);
  assert.ok(Math.abs(frameBytes('640x360', 85, 'low') - 9_880) / 9_880 < 0.05);
  assert.equal(frameBytes('1280x720', 85, 'medium'), 4 * (frameBytes('640x360', 85, 'medium') - 64) + 64, 'four times the pixels');
  assert.ok(frameBytes('640x360', 85, 'high') > frameBytes('640x360', 85, 'medium'));
  assert.ok(frameBytes('640x360', 50, 'medium') < frameBytes('640x360', 85, 'medium'));
});

test('the quality curve is monotone, exact at its measured points and clamped to 10..100', () => {
  assert.equal(qualityFactor(85), 1);
  assert.equal(qualityFactor(50), 0.63);
  assert.equal(qualityFactor(5), qualityFactor(10));
  assert.equal(qualityFactor(120), qualityFactor(100));
  assert.ok(Math.abs(qualityFactor(90) - (1 + 0.35 / 2)) < 1e-9, 'linear between measured points');
  for (let q = 11; q <= 100; q++) assert.ok(qualityFactor(q) >= qualityFactor(q - 1), `rises at ${q}`);
});
