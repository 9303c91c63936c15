import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWindows, type WindowOptions } from './windows.js';
import type { MatchesRecord } from '../streams/records.js';

const base: WindowOptions = { kind: 'tumbling', sizeMs: 1000, slideMs: 500, minFrames: 1, includeUnknown: false };

function frame(seq: number, ts: number, faces: Array<[string | null, number, number?, string?]>, camera = 'cam1'): MatchesRecord {
  return {
    camera, epoch: 'e0', seq, captureTs: ts,
    faces: faces.map(([identity, score, distance = 0.4, clusterId], index) => ({ index, box: [0, 0, 10, 10], score, identity, distance, clusterId: clusterId ?? null, track: 0, carried: false })),
  };
}

void test('repeated sightings in a tumbling window become one event with counts and bests', () => {
  const w = createWindows(base);
  assert.deepEqual(w.add(frame(0, 100, [['ada', 0.7, 0.5]]), 0), []);
  assert.deepEqual(w.add(frame(1, 400, [['ada', 0.9, 0.45], ['bob', 0.8]]), 0), []);
  assert.deepEqual(w.add(frame(2, 900, [['ada', 0.8, 0.3]]), 0), []);
  const events = w.add(frame(3, 1200, [['ada', 0.6]]), 0);
  assert.deepEqual(events.map((e) => [e.identity, e.from, e.to, e.firstSeq, e.lastSeq, e.frames, e.bestScore, e.bestDistance]), [
    ['ada', 100, 900, 0, 2, 3, 0.9, 0.3],
    ['bob', 400, 400, 1, 1, 1, 0.8, 0.4],
  ]);
  assert.equal(events[0]!.window, 'tumbling 1000ms');
  const rest = w.flush(0, true);
  assert.deepEqual(rest.map((e) => [e.identity, e.from, e.frames]), [['ada', 1200, 1]]);
});

void test('a face seen twice in one frame counts as one frame', () => {
  const w = createWindows(base);
  w.add(frame(0, 10, [['ada', 0.5], ['ada', 0.6]]), 0);
  assert.equal(w.flush(0, true)[0]!.frames, 1);
});

void test('sliding windows report a sighting in every window that covers it', () => {
  const w = createWindows({ ...base, kind: 'sliding' });
  w.add(frame(0, 700, [['ada', 0.9]]), 0);
  const events = w.flush(0, true);
  // Windows start every 500 ms and last 1000 ms: [0,1000) and [500,1500) both contain 700.
  assert.equal(events.length, 2);
  assert.ok(events.every((e) => e.from === 700 && e.window === 'sliding 1000ms every 500ms'));
});

void test('cameras close independently, and a quiet camera closes with the wall clock', () => {
  const w = createWindows(base);
  w.add(frame(0, 100, [['ada', 0.9]], 'cam1'), 50_000);
  w.add(frame(0, 5_000_100, [['ada', 0.9]], 'cam2'), 50_000);
  assert.deepEqual(w.add(frame(1, 5_001_500, [['bob', 0.9]], 'cam2'), 50_000).map((e) => e.camera), ['cam2']);
  assert.deepEqual(w.flush(50_400, false), [], 'neither camera time has reached a window end');
  assert.deepEqual(w.flush(51_000, false).map((e) => [e.camera, e.identity]), [['cam1', 'ada'], ['cam2', 'bob']]);
});

void test('records for an emitted window are late and dropped, not reported twice', () => {
  const w = createWindows(base);
  w.add(frame(0, 100, [['ada', 0.9]]), 0);
  assert.equal(w.add(frame(1, 1500, [['bob', 0.9]]), 0).length, 1);
  w.add(frame(2, 200, [['ada', 0.9]]), 0);
  assert.equal(w.late, 1);
  assert.deepEqual(w.flush(0, true).map((e) => e.identity), ['bob']);
});

void test('minFrames hides short sightings; unknowns only with includeUnknown and a cluster id', () => {
  const w = createWindows({ ...base, minFrames: 2, includeUnknown: true });
  w.add(frame(0, 100, [['ada', 0.9], [null, 0.8, 0.9, 'u3'], [null, 0.7, 0.9]]), 0);
  w.add(frame(1, 200, [[null, 0.8, 0.9, 'u3']]), 0);
  assert.deepEqual(w.flush(0, true).map((e) => [e.identity, e.frames]), [['unknown:u3', 2]]);
  const hidden = createWindows(base);
  hidden.add(frame(0, 100, [[null, 0.8, 0.9, 'u3']]), 0);
  assert.deepEqual(hidden.flush(0, true), []);
});

test('frames that share a capture millisecond still give first and last sequence numbers', () => {
  const w = createWindows(base);
  for (const seq of [7, 5, 9]) w.add(frame(seq, 1000, [['ada', 0.9, 0.3]]));
  const [e] = w.flush(0, true);
  assert.equal(e!.firstSeq, 5);
  assert.equal(e!.lastSeq, 9);
  assert.equal(e!.frames, 3);
});

void test('windows live in the store: a new instance over the same store closes them, and a restore is not a quiet spell', () => {
  const store = new Map();
  const before = createWindows(base, store);
  before.add(frame(0, 100, [['ada', 0.9]]), 10_000);
  before.add(frame(1, 600, [['ada', 0.8]]), 10_100);
  // The process dies; another one restores the store (the changelog's content) much later by the wall clock.
  const after = createWindows(base, new Map(store));
  assert.deepEqual(after.flush(60_000, false), [], 'a restored camera is quiet from the restore on, not since its last record');
  assert.deepEqual(after.add(frame(2, 900, [['ada', 0.7]]), 60_010), [], 'a record queued during the outage is not late');
  const [e] = after.add(frame(3, 1100, [['bob', 0.9]]), 60_020);
  assert.deepEqual([e!.identity, e!.frames, e!.firstSeq, e!.lastSeq, e!.windowStart], ['ada', 3, 0, 2, 0]);
});

void test('the same frame replayed (at-least-once) counts once', () => {
  const w = createWindows(base);
  w.add(frame(0, 100, [['ada', 0.9]]));
  w.add(frame(0, 100, [['ada', 0.9]]));
  assert.equal(w.flush(0, true)[0]!.frames, 1);
});

void test('a silence shorter than idleMs is records on their way, not a quiet camera', () => {
  const w = createWindows({ ...base, idleMs: 5000 });
  w.add(frame(0, 100, [['ada', 0.9]]), 10_000);
  assert.deepEqual(w.flush(13_000, false), [], '3 s without records: the window stays open');
  assert.deepEqual(w.add(frame(1, 800, [['bob', 0.9]]), 13_100), [], 'the record that was on its way joins its window');
  assert.deepEqual(w.flush(19_000, false).map((e) => e.identity), ['ada', 'bob'], 'quiet for longer than idleMs: closed by the wall clock');
});

void test('per track: a person who leaves and comes back, and two people of one name, are separate sightings; untracked faces stay per identity', () => {
  const tracked = (seq: number, ts: number, faces: Array<[string, number]>) => {
    const r = frame(seq, ts, faces.map(([who]) => [who, 0.9] as [string, number]));
    r.faces.forEach((f, i) => (f.track = faces[i]![1]));
    return r;
  };
  const frames = [
    tracked(0, 100, [['ada', 1], ['ada', 2]]), // two faces labelled ada, tracks 1 and 2
    tracked(1, 200, [['ada', 1]]),
    tracked(2, 300, [['ada', 3]]), // track 1's person back in view: a new track
    tracked(3, 400, [['bob', 0]]), // untracked
    tracked(4, 500, [['bob', 0]]),
  ];
  const perTrack = createWindows({ ...base, perTrack: true });
  for (const f of frames) perTrack.add(f, 0);
  assert.deepEqual(perTrack.flush(0, true).map((e) => [e.identity, e.track, e.frames, e.firstSeq, e.lastSeq]), [
    ['ada', 1, 2, 0, 1],
    ['ada', 2, 1, 0, 0],
    ['ada', 3, 1, 2, 2],
    ['bob', 0, 2, 3, 4],
  ]);
  const perIdentity = createWindows(base);
  for (const f of frames) perIdentity.add(f, 0);
  assert.deepEqual(perIdentity.flush(0, true).map((e) => [e.identity, e.track, e.frames]), [['ada', 0, 3], ['bob', 0, 2]], 'without perTrack the track is not looked at');
});
