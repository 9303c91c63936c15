import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changed, MotionGate, thumbnail } from './motion.js';

const W = 640;
const H = 360;
/** A grey scene (level 90) with a square of level `level` at (x, y), and optional per-pixel noise from a fixed seed. */
function scene(x: number, y: number, noise = 0, seed = 1, level = 220): Uint8Array {
  const rgb = new Uint8Array(W * H * 3);
  let s = seed;
  for (let py = 0; py < H; py++) {
    for (let px = 0; px < W; px++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const n = noise ? (s % (2 * noise + 1)) - noise : 0;
      const v = (px >= x && px < x + 40 && py >= y && py < y + 40 ? level : 90) + n;
      rgb.fill(Math.max(0, Math.min(255, v)), (py * W + px) * 3, (py * W + px) * 3 + 3);
    }
  }
  return rgb;
}

test('thumbnail: block means of luma, the frame aspect kept, a short buffer refused', () => {
  const t = thumbnail(scene(0, 0), W, H, 64);
  assert.deepEqual([t.width, t.height], [64, 36]);
  assert.equal(t.grey[0], 220, 'the square covers the first block');
  assert.equal(t.grey[63], 90);
  assert.throws(() => thumbnail(new Uint8Array(10), W, H, 64), /expected 691200 bytes of RGB for 640x360, got 10/);
});

test('a still scene does not move, sensor noise included; a face-sized square moving 20 px does', () => {
  const gate = new MotionGate();
  assert.equal(gate.moved('cam', scene(300, 160, 6, 1), W, H), true, 'the first frame always moves');
  for (let seed = 2; seed < 8; seed++) assert.equal(gate.moved('cam', scene(300, 160, 6, seed), W, H), false, `noise frame ${seed}`);
  assert.equal(gate.moved('cam', scene(320, 160, 6, 9), W, H), true);
  assert.equal(gate.moved('other', scene(320, 160), W, H), true, 'cameras are apart');
});

test('slow motion adds up against the reference: a faint square edging 1 px a frame is below the delta each frame, yet counts every few frames', () => {
  const faint = (x: number) => scene(x, 160, 0, 1, 150);
  const t = (x: number) => thumbnail(faint(x), W, H, 64);
  assert.equal(changed(t(300), t(301), 12), 0, 'one frame of its motion changes no thumbnail pixel past the delta');
  const gate = new MotionGate();
  gate.moved('cam', faint(300), W, H);
  const movedAt: number[] = [];
  for (let f = 1; f <= 30; f++) if (gate.moved('cam', faint(300 + f), W, H)) movedAt.push(f);
  assert.ok(movedAt.length >= 5 && movedAt.length <= 15 && movedAt[0]! <= 4, `moved at ${movedAt.join(', ')}`);
});

test('changed: the fraction of thumbnail pixels past the delta; differing sizes count as all changed', () => {
  const t = (x: number) => thumbnail(scene(x, 160), W, H, 64);
  assert.equal(changed(t(300), t(300), 12), 0);
  assert.ok(changed(t(300), t(340), 12) > 0.005);
  assert.equal(changed(t(300), thumbnail(scene(300, 160), W, H, 32), 12), 1);
});
