import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTracker, DEFAULT_TRACKER, iou, type Assignment } from './tracker.js';
import type { Box } from '../streams/records.js';

const face = (x: number, y = 100, size = 60): Box => [x, y, size, size];
/** Track id of each detection of a step, in detection order. */
const ids = (a: Assignment[]) => [...a].sort((p, q) => p.detection - q.detection).map((x) => x.track);

test('iou: identical boxes 1, disjoint 0, half-shifted 1/3', () => {
  assert.equal(iou([0, 0, 10, 10], [0, 0, 10, 10]), 1);
  assert.equal(iou([0, 0, 10, 10], [20, 0, 10, 10]), 0);
  assert.ok(Math.abs(iou([0, 0, 10, 10], [5, 0, 10, 10]) - 1 / 3) < 1e-9);
});

test('a face moving across the frame keeps one track', () => {
  const t = createTracker();
  const seen = new Set<number>();
  for (let f = 0; f < 40; f++) for (const a of t.step([face(50 + f * 8)])) seen.add(a.track);
  assert.deepEqual([...seen], [1]);
  assert.equal(t.tracks()[0]!.hits, 40);
});

test('two faces crossing each other keep their own tracks (the prediction tells them apart where they overlap)', () => {
  const t = createTracker();
  const first = ids(t.step([face(100), face(400)]));
  for (let f = 1; f <= 15; f++) {
    // A walks right, B walks left, 20 px a frame; they pass each other between frames 7 and 8, where each face's
    // detection lies exactly on the other's last box: only the prediction keeps them apart. Detections come in varying order.
    const a = face(100 + f * 20, 100);
    const b = face(400 - f * 20, 104);
    const flipped = f % 2 === 1;
    const got = ids(t.step(flipped ? [b, a] : [a, b]));
    const [ta, tb] = flipped ? [got[1], got[0]] : got;
    assert.equal(ta, first[0], `frame ${f}: A kept its track`);
    assert.equal(tb, first[1], `frame ${f}: B kept its track`);
  }
});

test('a face that leaves and comes back within maxAge keeps its track; after longer it is a new track and the old one ended', () => {
  const t = createTracker({ ...DEFAULT_TRACKER, maxAge: 5 });
  for (let f = 0; f < 5; f++) t.step([face(200)]);
  for (let f = 0; f < 3; f++) t.step([]); // looked away: 3 frames without it
  assert.deepEqual(ids(t.step([face(200)])), [1], 'back after 3 frames: same track');
  for (let f = 0; f < 7; f++) t.step([]); // gone for 7 > maxAge
  assert.deepEqual(t.ended().map((x) => x.id), [1]);
  const back = t.step([face(200)]);
  assert.deepEqual(ids(back), [2]);
  assert.equal(back[0]!.started, true);
  assert.equal(back[0]!.due, true, 'a new track is embedded at once');
});

test('two faces merging into one detection: one track takes it, the other coasts and takes its face back when they part', () => {
  const t = createTracker({ ...DEFAULT_TRACKER, maxAge: 10 });
  // Both stand still side by side, then B steps behind A for 4 frames (one detection), then steps out again.
  const a = face(200);
  const b = face(240);
  const before = ids(t.step([a, b]));
  for (let f = 0; f < 3; f++) assert.deepEqual(ids(t.step([a, b])), before);
  const merged = face(215); // what the detector reports for the pair: one box between them, nearer A
  for (let f = 0; f < 4; f++) {
    const got = ids(t.step([merged]));
    assert.equal(got.length, 1);
    assert.equal(got[0], before[0], 'the merged detection continues A (the larger overlap)');
    assert.equal(t.tracks().length, 2, 'B is not ended while merged');
  }
  assert.deepEqual(ids(t.step([a, b])), before, 'after they part, each face has its own track again');
  assert.deepEqual(t.ended(), []);
});

test('embedding is due when a track starts, then every reembedEvery frames if known, every unknownRetryEvery if unknown, and at once when the face comes much closer', () => {
  const t = createTracker({ ...DEFAULT_TRACKER, reembedEvery: 10, unknownRetryEvery: 3, growthToReembed: 1.5 });
  const dueFrames = (n: number, box: (f: number) => Box) => {
    const out: number[] = [];
    for (let f = 0; f < n; f++) if (t.step([box(f)])[0]!.due) out.push(t.frame);
    return out;
  };
  assert.deepEqual(dueFrames(1, () => face(100)), [1], 'a new track');
  t.identify(1, 'Ada');
  assert.deepEqual(dueFrames(20, () => face(100)), [11, 21], 'known: every 10 frames');
  t.identify(1, null);
  assert.deepEqual(dueFrames(7, () => face(100)), [24, 27], 'unknown: every 3 frames');
  t.identify(1, 'Ada');
  // Walking up to the camera: the box's side grows 1.15x per frame, its area 1.32x: the second step passes 1.5x.
  const grown = dueFrames(2, (f) => face(100, 100, Math.round(60 * 1.15 ** (f + 1))));
  assert.deepEqual(grown, [30], 'embedded again once the face is 1.5x the area last embedded');
  const a = t.step([face(100, 100, 101)]);
  assert.equal(a[0]!.identity, 'Ada', 'the identity is carried along the track');
});

test('coast moves tracks by their velocity, so a detection interval finds the face where the prediction put it', () => {
  const t = createTracker();
  for (let f = 0; f < 5; f++) t.step([face(100 + f * 12)]);
  const [p] = t.coast();
  assert.ok(Math.abs(p!.box[0] - (100 + 5 * 12)) < 2, `predicted x ${p!.box[0]}`);
  t.coast();
  assert.deepEqual(ids(t.step([face(100 + 7 * 12)])), [1], 'detected again two frames later: same track');
});
