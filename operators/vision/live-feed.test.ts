// The dashboard's camera snapshot carries the boxes found on that very frame: the first version drew the latest
// matches over a frame up to a second older, so a moving face's box sat beside it (seen in the README screenshot).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveView } from './live-feed.js';
import { FRAMES, MATCHES } from '../streams/index.js';
import type { Box, FaceMatch, FrameRecord, MatchesRecord } from '../streams/records.js';

const epoch = '0001';
const frame = (seq: number): FrameRecord => ({ camera: 'cam-1', epoch, seq, captureTs: seq * 200, width: 4, height: 2, format: 'rgb', data: new Uint8Array(24) });
const face = (box: Box, identity: string): FaceMatch => ({ index: 0, box, score: 0.9, identity, distance: 0.3, clusterId: null, track: 0, carried: false });
const matches = (seq: number, faces: FaceMatch[], e = epoch): MatchesRecord => ({ camera: 'cam-1', epoch: e, seq, captureTs: seq * 200, faces });

void test("a snapshot is shown with its own frame's boxes, not with a later frame's", () => {
  let now = 0;
  const view = new LiveView(undefined, () => now);
  view.ingest('decode', FRAMES.name, [frame(0), frame(1)]);
  assert.deepEqual(view.cameras().map((c) => c.snapshotAt), [null], 'no snapshot before its matches');
  view.ingest('match', MATCHES.name, [matches(1, [face([9, 9, 1, 1], 'b')])]);
  assert.equal(view.cameras()[0]!.snapshotAt, null, "frame 1's matches do not complete frame 0");
  now = 100;
  view.ingest('match', MATCHES.name, [matches(0, [face([1, 1, 1, 1], 'a')], '0000')]);
  assert.equal(view.cameras()[0]!.snapshotAt, null, 'the same seq of another session is another frame');
  view.ingest('match', MATCHES.name, [matches(0, [face([1, 1, 1, 1], 'a')])]);
  assert.deepEqual(view.cameras()[0], { camera: 'cam-1', snapshotAt: 100, width: 4, height: 2, boxes: [{ box: [1, 1, 1, 1], label: 'a' }] });
  // Later matches do not move the boxes of the frame on show.
  view.ingest('match', MATCHES.name, [matches(2, [face([5, 5, 1, 1], 'c')])]);
  assert.deepEqual(view.cameraBoxes('cam-1'), [{ box: [1, 1, 1, 1], label: 'a' }]);
});

void test('a snapshot frame whose matches never come is shown without boxes after a wait, and the next one is taken', () => {
  let now = 0;
  const view = new LiveView(undefined, () => now);
  view.ingest('decode', FRAMES.name, [frame(0)]);
  now = 2999;
  view.ingest('decode', FRAMES.name, [frame(1)]);
  assert.equal(view.cameras()[0]!.snapshotAt, null);
  now = 3000;
  view.ingest('decode', FRAMES.name, [frame(2)]);
  assert.deepEqual(view.cameras()[0], { camera: 'cam-1', snapshotAt: 3000, width: 4, height: 2, boxes: [] });
  now = 4000;
  view.ingest('decode', FRAMES.name, [frame(3)]);
  view.ingest('match', MATCHES.name, [matches(3, [face([2, 2, 1, 1], 'd')])]);
  assert.deepEqual(view.cameraBoxes('cam-1'), [{ box: [2, 2, 1, 1], label: 'd' }]);
});
