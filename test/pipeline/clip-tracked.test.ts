// Tracking on the clip, end to end on the embedded backbone: faces v3 through Avro, detect embedding only the faces
// that are due, embed skipping carried ones, match carrying each track's identity; the performer is still recognised,
// in sightings per track.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { writeClipTopology } from '../helpers/clip-topology.js';
import { runClip } from '../helpers/run-clip.js';

test('with tracking and a detection interval of 2, the clip is recognised embedding a fraction of its faces', { timeout: 180_000 }, async () => {
  const { dir, file } = await writeClipTopology({ name: 'clip-tracked', backbone: { type: 'embedded' }, cameras: 2, detectConfig: '{ tracking: { enabled: true, interval: 2 } }', aggregateConfig: 'perTrack: true' });
  try {
    const logs: string[] = [];
    const { events, summary } = await runClip(file, dir, (l) => logs.push(l));
    for (const cam of ['cam-1', 'cam-2']) {
      const lin = events.filter((e) => e.camera === cam && e.identity === 'Lin-Manuel Miranda');
      // He is on stage for frames 18-38 of 50 (at 5 fps): about 4 s, carried or embedded, frame by frame.
      assert.ok(lin.reduce((n, e) => n + e.frames, 0) >= 15, `${cam}: ${JSON.stringify(lin)}`);
      // Sightings per track: each names the track it followed, and a track's windows do not mix with another's.
      assert.ok(lin.every((e) => e.track > 0), `${cam}: ${JSON.stringify(lin.map((e) => [e.windowStart, e.track]))}`);
      const keys = lin.map((e) => `${e.windowStart}/${e.track}`);
      assert.equal(new Set(keys).size, keys.length, `${cam}: one event per window and track`);
    }
    assert.equal(summary.dropped, 0);
    const told = logs.map((l) => /tracking: (\d+) frames detected, (\d+) coasted, (\d+) still .*faces: (\d+) to embed, (\d+) carried/.exec(l)).find((m) => m);
    assert.ok(told, `no tracking summary in the log:\n${logs.join('\n')}`);
    const [detected, coasted, , embedded, carried] = told.slice(1).map(Number) as [number, number, number, number, number];
    assert.ok(coasted > 0 && detected < 2 * 50, `detected ${detected}, coasted ${coasted}`);
    assert.ok(carried > 2 * embedded, `embedded ${embedded}, carried ${carried}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
