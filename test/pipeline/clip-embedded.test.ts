// The flagship flow compiled from a topology and run in-process on the embedded backbone over a real clip:
// the two people of the clip are recognised, nothing is dropped from a recorded file, and latency is measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { CLIP_IDENTITIES, writeClipTopology } from '../helpers/clip-topology.js';
import { runClip } from '../helpers/run-clip.js';

test('the clip, run on the embedded backbone, yields sightings of both enrolled people', { timeout: 180_000 }, async () => {
  const { dir, file } = await writeClipTopology({ name: 'clip-embedded', backbone: { type: 'embedded' }, cameras: 2 });
  try {
    const { events, summary } = await runClip(file, dir);
    for (const cam of ['cam-1', 'cam-2']) {
      const seen = new Set(events.filter((e) => e.camera === cam).map((e) => e.identity));
      for (const who of CLIP_IDENTITIES) assert.ok(seen.has(who), `${cam} should show ${who}; saw ${[...seen].join(', ')}`);
    }
    // 10 s of video sampled at 5 fps, per camera; a recorded file loses no frame.
    assert.ok(summary.frames >= 2 * 48 && summary.frames <= 2 * 52, `frames ${summary.frames}`);
    assert.equal(summary.dropped, 0);
    assert.ok(summary.e2eLatencyMs.p50 > 0 && summary.e2eLatencyMs.p99 >= summary.e2eLatencyMs.p50);
    for (const e of events) assert.ok(e.firstSeq <= e.lastSeq && e.frames >= 1 && e.from <= e.to);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
