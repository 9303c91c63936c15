import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chipToImage, DLIB_CHIP, mirrorRows, toPoints } from './chip.js';
import { applySimilarity, invertSimilarity, scaleOf, type Point } from './similarity.js';
import { warpToChip } from './warp.js';

// A synthetic upright face: eyes level at y=100, 60 px apart, nose base below; the 68 points carry the
// landmarks the templates use and plausible fillers elsewhere.
function syntheticFace(): Point[] {
  const pts: Point[] = Array.from({ length: 68 }, (_, i) => [100 + (i % 10), 100 + Math.floor(i / 10)] as Point);
  pts[36] = [70, 100]; pts[39] = [90, 102]; pts[42] = [110, 102]; pts[45] = [130, 100]; pts[33] = [100, 140];
  return pts;
}

void test('5-point chip puts the eyes level and the face centred horizontally', () => {
  const t = invertSimilarity(chipToImage(syntheticFace(), DLIB_CHIP));
  const left = applySimilarity(t, [70, 100]), right = applySimilarity(t, [130, 100]), nose = applySimilarity(t, [100, 140]);
  assert.ok(Math.abs(left[1] - right[1]) < 0.5, 'eye corners level');
  assert.ok(Math.abs((left[0] + right[0]) / 2 - 75) < 2, `eyes centred, mid x ${(left[0] + right[0]) / 2}`);
  assert.ok(nose[1] > left[1] + 20, 'nose below the eyes');
  // With padding 0.25 the eye corners sit about 0.74 * 150 / 1.5 = 74 px apart in the chip.
  assert.ok(Math.abs(right[0] - left[0] - 73.9) < 3, `eye span ${right[0] - left[0]}`);
});

void test('a rotated face yields a rotated chip transform of the same scale', () => {
  const face = syntheticFace();
  const angle = 0.4, c = Math.cos(angle), s = Math.sin(angle);
  const rotated = face.map(([x, y]) => [c * (x - 100) - s * (y - 100) + 100, s * (x - 100) + c * (y - 100) + 100] as Point);
  const a = chipToImage(face), b = chipToImage(rotated);
  assert.ok(Math.abs(scaleOf(a) - scaleOf(b)) < 1e-9);
  assert.ok(Math.abs(Math.atan2(b.b, b.a) - Math.atan2(a.b, a.a) - angle) < 1e-9);
});

void test('toPoints rejects anything but 68 points', () => {
  assert.throws(() => toPoints([1, 2, 3]), RangeError);
  assert.equal(toPoints(new Array(136).fill(0)).length, 68);
});

void test('warp samples bilinearly and reads black outside the image', () => {
  const image = { width: 4, height: 4, data: new Uint8Array(48) };
  for (let i = 0; i < 16; i++) image.data.set([i * 10, 0, 255], i * 3);
  // Chip pixel (u, v) reads image (u + 1.5, v + 1.5): the mean of four neighbours; (3, 3) falls outside.
  const chip = warpToChip(image, { a: 1, b: 0, tx: 1.5, ty: 1.5 }, 4);
  assert.equal(chip.data[0], Math.round((50 + 60 + 90 + 100) / 4));
  assert.equal(chip.data[2], 255);
  const last = (3 * 4 + 3) * 3;
  assert.deepEqual([...chip.data.subarray(last, last + 3)], [0, 0, 0]);
});

void test('a chip much smaller than the face is box-filtered first, so fine stripes average out', () => {
  const image = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3) };
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) image.data.fill(x % 2 ? 255 : 0, (y * 64 + x) * 3, (y * 64 + x) * 3 + 3);
  const chip = warpToChip(image, { a: 4, b: 0, tx: 0, ty: 0 }, 16);
  for (const v of chip.data.subarray(0, 30)) assert.ok(Math.abs(v - 128) < 2, `aliased value ${v}`);
});

void test('mirrorRows flips each row of every image in a batch, and twice is the identity', () => {
  // Two 2x2 images, pixel value = 10 * (image * 4 + row * 2 + column) + channel.
  const batch = Float32Array.from({ length: 24 }, (_, i) => 10 * Math.floor(i / 3) + (i % 3));
  const flipped = batch.slice();
  mirrorRows(flipped, 2);
  assert.deepEqual([...flipped.subarray(0, 6)], [10, 11, 12, 0, 1, 2]);
  assert.deepEqual([...flipped.subarray(18, 24)], [70, 71, 72, 60, 61, 62]);
  mirrorRows(flipped, 2);
  assert.deepEqual(flipped, batch);
});
