import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectedEvents, tallyEvents } from './events.js';
import type { MatchesRecord, SightingEvent } from '../../operators/streams/records.js';

const m = (seq: number, ts: number, identity: string, epoch = 'e1'): MatchesRecord => ({ camera: 'c', epoch, seq, captureTs: ts, faces: [{ index: 0, box: [0, 0, 1, 1], score: 0.9, identity, distance: 0.3, clusterId: null, track: 0, carried: false }] });

test('events are expected from the delivered matches, each record once; a replay with the same content is no duplicate', () => {
  const matches = [m(0, 100, 'ada'), m(1, 900, 'ada'), m(1, 900, 'ada'), m(2, 2100, 'bob')];
  const expected = [...expectedEvents(matches).values()];
  assert.deepEqual(expected.map((e) => [e.identity, e.frames, e.windowStart]), [['ada', 2, 0], ['bob', 1, 2000]]);
  const ok = tallyEvents(matches, [...expected, expected[0]!]);
  assert.deepEqual([ok.eventsLost, ok.eventsDuplicated, ok.eventsRawDuplicates], [0, 0, 1]);
  const differing: SightingEvent = { ...expected[0]!, frames: 1 };
  const bad = tallyEvents(matches, [expected[0]!, differing]);
  assert.deepEqual([bad.eventsLost, bad.eventsDuplicated], [1, 1], 'bob never came; ada came twice with different counts');
});
