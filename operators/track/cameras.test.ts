import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CameraTracking, type TrackingOptions } from './cameras.js';
import { IdentityBoard, trackKey } from './identities.js';
import { DEFAULT_TRACKER } from './tracker.js';
import type { Box } from '../streams/records.js';

const W = 64, H = 36;
/** A grey frame with a white square at x (or none): enough for the motion check. */
function frame(x: number | null): Uint8Array {
  const rgb = new Uint8Array(W * H * 3).fill(40);
  if (x !== null) for (let y = 10; y < 20; y++) for (let c = x; c < x + 10; c++) rgb.fill(250, (y * W + c) * 3, (y * W + c) * 3 + 3);
  return rgb;
}
const options = (o: Partial<TrackingOptions> = {}): TrackingOptions => ({ ...DEFAULT_TRACKER, interval: 1, motion: true, ...o });
const det = (x: number): { box: Box; score: number } => ({ box: [x, 100, 60, 60], score: 0.9 });

test('a still scene with nobody in view is not detected; motion or a live track brings detection back', () => {
  const t = new CameraTracking(options(), new IdentityBoard());
  const empty = frame(null);
  assert.equal(t.plan('c', 'e', empty, W, H), 'detect'); // a camera's first frame always counts as moved
  t.detected('c', 'e', []);
  assert.equal(t.plan('c', 'e', empty, W, H), 'still');
  t.still('c', 'e');
  assert.equal(t.plan('c', 'e', frame(20), W, H), 'detect'); // something appeared
  t.detected('c', 'e', [det(100)]);
  // Nothing moves, but a face is tracked: still detected (it may leave without the scene changing much).
  assert.equal(t.plan('c', 'e', frame(20), W, H), 'detect');
  assert.equal(new CameraTracking(options({ motion: false }), new IdentityBoard()).plan('c', 'e', empty, W, H), 'detect');
});

test('a detection interval coasts the confident tracks between detections and shows them with predicted boxes', () => {
  const t = new CameraTracking(options({ interval: 3, motion: false }), new IdentityBoard());
  const f = frame(null);
  const plans: string[] = [];
  let x = 100;
  for (let i = 0; i < 7; i++) {
    const p = t.plan('c', 'e', f, W, H);
    plans.push(p);
    if (p === 'detect') t.detected('c', 'e', [det(x)]);
    else {
      const shown = t.coast('c', 'e');
      assert.equal(shown.length, 1);
      assert.equal(shown[0]!.embed, false);
      assert.ok(Math.abs(shown[0]!.box[0] - x) < 1e-9, `coasted box at ${shown[0]!.box[0]}, face at ${x}`);
    }
    x += 10;
  }
  // The first detection alone gives no velocity: the track is confident from the second on; then every 3rd frame.
  assert.deepEqual(plans, ['detect', 'detect', 'coast', 'coast', 'detect', 'coast', 'coast']);
});

test('a lost track makes the next frame a detection, inside the interval too', () => {
  const t = new CameraTracking(options({ interval: 5, motion: false }), new IdentityBoard());
  const f = frame(null);
  t.detected('c', 'e', [det(100), det(300)]);
  t.detected('c', 'e', [det(100)]); // the face at 300 was not found
  assert.equal(t.plan('c', 'e', f, W, H), 'detect');
});

test("the schedule hears match through the board: a known face waits reembedEvery, an unknown one unknownRetryEvery", () => {
  const board = new IdentityBoard();
  const t = new CameraTracking(options({ reembedEvery: 10, unknownRetryEvery: 3, motion: false }), board);
  const embeds = (n: number) => {
    const due: number[] = [];
    for (let i = 0; i < n; i++) if (t.detected('c', 'e', [det(100)])[0]!.embed) due.push(i);
    return due;
  };
  assert.deepEqual(embeds(7), [0, 3, 6]); // nothing heard: retried every 3
  board.tell(trackKey('c', 'e', 1), 'ada');
  assert.deepEqual(embeds(12), [9]); // known since: 10 frames after the last embedding (frame 7 -> 17)
  board.tell(trackKey('c', 'e', 1), null);
  assert.deepEqual(embeds(4), [0, 3]); // nobody, says match: 3 after 17, then every 3
});

test('a new decode session starts the camera over, and what the board held of its tracks is forgotten', () => {
  const board = new IdentityBoard();
  const t = new CameraTracking(options({ motion: false }), board);
  const [a] = t.detected('c', 'e1', [det(100)]);
  board.tell(trackKey('c', 'e1', a!.track), 'ada');
  const [b] = t.detected('c', 'e2', [det(100)]);
  assert.equal(b!.embed, true);
  assert.equal(board.read(trackKey('c', 'e1', a!.track)), undefined);
  assert.equal(board.size, 0);
});

test('a cut (most of the picture changes at once) ends every track: the face in the new shot is someone new', () => {
  const t = new CameraTracking(options(), new IdentityBoard());
  assert.equal(t.plan('c', 'e', frame(20), W, H), 'detect');
  const [a] = t.detected('c', 'e', [det(100)]);
  const cut = new Uint8Array(W * H * 3).fill(200);
  assert.equal(t.plan('c', 'e', cut, W, H), 'detect');
  const [b] = t.detected('c', 'e', [det(100)]);
  assert.notEqual(b!.track, a!.track);
  assert.equal(b!.embed, true);
});

test('with nobody in view, a detection interval still detects only every interval-th frame (a newcomer waits at most interval - 1)', () => {
  const t = new CameraTracking(options({ interval: 3, motion: false }), new IdentityBoard());
  const plans: string[] = [];
  for (let i = 0; i < 7; i++) {
    const p = t.plan('c', 'e', frame(null), W, H);
    plans.push(p);
    if (p === 'detect') t.detected('c', 'e', []);
    else assert.deepEqual(t.coast('c', 'e'), []);
  }
  assert.deepEqual(plans, ['detect', 'coast', 'coast', 'detect', 'coast', 'coast', 'detect']);
});
