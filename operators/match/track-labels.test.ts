import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLabeller } from './create.js';
import { createMatcher } from './matcher.js';
import { IdentityBoard, trackKey } from '../track/identities.js';
import type { EmbeddingsRecord, FaceEmbedding } from '../streams/records.js';

const axis = (i: number) => Array.from({ length: 128 }, (_, k) => (k === i ? 1 : 0));
const gallery = { model: 'm', identities: [{ name: 'ada', embeddings: [axis(0)] }] };
const face = (track: number, embedding: number[] | null): FaceEmbedding => ({
  index: 0, box: [0, 0, 10, 10], score: 0.9, landmarks: [], embedding: embedding ?? [], track, carried: embedding === null,
});
const rec = (seq: number, f: FaceEmbedding, epoch = 'e1'): EmbeddingsRecord => ({ camera: 'c', epoch, seq, captureTs: seq, faces: [f] });

test("a carried face gets its track's label from the frame it was last embedded in, and the board hears it", () => {
  const board = new IdentityBoard();
  const label = createLabeller(board);
  const matcher = createMatcher(gallery as never, { threshold: 0.5, clusterUnknown: false });
  const first = label(matcher, rec(1, face(7, axis(0)))).faces[0]!;
  assert.deepEqual([first.identity, first.track, first.carried], ['ada', 7, false]);
  assert.equal(board.read(trackKey('c', 'e1', 7)), 'ada');
  const carried = label(matcher, rec(2, face(7, null))).faces[0]!;
  assert.deepEqual([carried.identity, carried.distance, carried.track, carried.carried], ['ada', first.distance, 7, true]);
  // Embedded again and nobody now: carried frames after it say so.
  label(matcher, rec(3, face(7, axis(5))));
  assert.equal(board.read(trackKey('c', 'e1', 7)), null);
  assert.equal(label(matcher, rec(4, face(7, null))).faces[0]!.identity, null);
});

test('a carried face of a track match never saw (another session, a restart) is unknown at distance 2, not a guess', () => {
  const label = createLabeller(new IdentityBoard());
  const matcher = createMatcher(gallery as never, { threshold: 0.5, clusterUnknown: false });
  label(matcher, rec(1, face(7, axis(0)), 'e1'));
  const other = label(matcher, rec(2, face(7, null), 'e2')).faces[0]!;
  assert.deepEqual([other.identity, other.distance, other.clusterId], [null, 2, null]);
});

test('an untracked face (track 0, as v2 records read) is matched and nothing is remembered', () => {
  const board = new IdentityBoard();
  const label = createLabeller(board);
  const matcher = createMatcher(gallery as never, { threshold: 0.5, clusterUnknown: false });
  assert.equal(label(matcher, rec(1, face(0, axis(0)))).faces[0]!.identity, 'ada');
  assert.equal(board.size, 0);
});
