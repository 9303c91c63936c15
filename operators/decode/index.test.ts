// What decode@1 declares to the engine about its sources: which are recordings (frames wait, never dropped as
// stale) and which demo images exist (validate reports a missing one at the url).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import decode from './index.js';
import { demoImages } from '../media/media-input.js';
import { inputProblems } from '../../pipelines/topology/graph-checks.js';
import type { Topology } from '../../pipelines/topology/schema.js';

const config = (realtime: boolean) => ({ realtime }) as Parameters<NonNullable<typeof decode.recorded>>[1];

test('a video file read as fast as the flow takes it is a recording; a camera, an image or a paced file is live', () => {
  assert.equal(decode.recorded!('file:/v/clip.mp4', config(false)), true);
  assert.equal(decode.recorded!('file:/v/clip.mp4', config(true)), false, 'realtime: read at its native rate, so live');
  assert.equal(decode.recorded!('file:/p/photo.JPG', config(false)), false, 'an image is panned as a live camera');
  assert.equal(decode.recorded!('rtsp://cam/1', config(false)), false);
  assert.equal(decode.recorded!('demo:sample1.jpg', config(false)), false);
});

test('a demo image decode does not ship is a problem naming the ones it does; other urls are not its business', () => {
  const shipped = demoImages();
  assert.ok(shipped.length > 0);
  assert.equal(decode.sourceProblem!(`demo:${shipped[0]}`), undefined);
  assert.equal(decode.sourceProblem!('demo:/abs/photo.jpg'), undefined, 'an absolute path is checked when read');
  assert.match(decode.sourceProblem!('demo:nope.jpg') ?? '', new RegExp(`^no demo image 'nope.jpg': use one of ${shipped[0]}`));
  assert.equal(decode.sourceProblem!('rtsp://cam/1'), undefined);
});

test('a bad demo image read by two flows is reported once, at its url', () => {
  const t = {
    sources: [{ name: 'cam', url: 'demo:nope.jpg' }],
    flows: [
      { id: 'a', uses: 'decode@1', inputs: ['cam'] },
      { id: 'b', uses: 'decode@1', inputs: ['cam'] },
    ],
  } as unknown as Topology;
  const found = inputProblems(t, new Map([['a', decode], ['b', decode]]), [decode]);
  assert.deepEqual(found.map((f) => f.message.replace(/: use one of .*/, '')), ["sources[0].url: no demo image 'nope.jpg'"]);
});
