// aggregate's state across versions: windows a v1 aggregate wrote to its changelog (no track) are restored by this
// one as windows per identity (track 0), and a record of a version it does not know is refused, not misread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StateCodec } from '../../pipelines/runtime/state/changelog.js';
import aggregate from './index.js';
import { WINDOW_ENTRY_SCHEMA_V1, type WindowEntry } from './windows.js';

const v1Window = { camera: 'cam-1', identity: 'ada', start: 0, from: 10, to: 900, firstSeq: 1, lastSeq: 9, frames: ['e0:1', 'e0:9'], bestScore: 0.9, bestDistance: 0.3 };

test('a window written by state v1 is restored by v2 with track 0; v2 windows keep their track', () => {
  const codec = new StateCodec('aggregate', aggregate.state!);
  assert.equal(aggregate.state!.version, 2);
  const old = new StateCodec('aggregate', { schema: WINDOW_ENTRY_SCHEMA_V1, version: 1 });
  const restored = codec.decode(old.encode({ window: v1Window, clock: null }), old.header) as WindowEntry;
  assert.deepEqual({ ...restored.window }, { ...v1Window, track: 0 });
  const tracked = { window: { ...v1Window, track: 12 }, clock: null };
  assert.deepEqual({ ...(codec.decode(codec.encode(tracked), codec.header) as WindowEntry).window }, tracked.window);
  assert.throws(() => codec.decode(codec.encode(tracked), 'state.aggregate/v3'), /written with aggregate state v3; this version reads up to v2/);
  const forgetful = new StateCodec('aggregate', { ...aggregate.state!, previous: [] });
  assert.throws(() => forgetful.decode(old.encode({ window: v1Window, clock: null }), old.header), /state v1, whose schema aggregate no longer declares/);
});
