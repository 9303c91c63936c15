// Counting sighting events. An event's key is (camera, identity, window, window start): eventId. What a run should
// have produced is derived from the matches that run delivered (each record identity once, in arrival order),
// through the aggregate's own windows core with the topology's window settings and a final flush: the reference
// is the run's own input, so a camera whose captured times differ from another run's still compares exactly.
// lost = expected keys never on the results topic; duplicated = keys delivered more than once with differing
// content (keep-first de-duplication by key would then keep a wrong answer); raw replays are reported apart.
import { createWindows, type WindowOptions } from '../../operators/aggregate/windows.js';
import { eventId, type MatchesRecord, type SightingEvent } from '../../operators/streams/records.js';

export interface EventTally {
  eventsExpected: number;
  eventsDelivered: number;
  eventsLost: number;
  eventsDuplicated: number;
  eventsRawDuplicates: number;
  eventsUnexpected: number;
  /** Some of the keys lost and of those delivered unexpectedly (at most 8 each), to see what went where. */
  lostKeys?: string[];
  unexpectedKeys?: string[];
  /** Keys delivered with differing content: every content seen (frames/firstSeq/lastSeq/from/to), and what was expected. */
  conflicts?: Array<{ key: string; delivered: string[]; expected: string | null }>;
  /** First copies of matches that arrived after a later frame of their camera session. */
  matchesOutOfOrder?: number;
}

/** The clip topology's aggregate: tumbling 2 s windows, every frame counts. */
export const CLIP_WINDOWS: WindowOptions = { kind: 'tumbling', sizeMs: 2000, slideMs: 1000, minFrames: 1, includeUnknown: false };

const content = (e: SightingEvent) => `${e.frames}/${e.firstSeq}/${e.lastSeq}/${e.from}/${e.to}`;
/** With the arrival time when the collector has one (ms since epoch). */
const seen = (e: SightingEvent & { at?: number }) => (e.at === undefined ? content(e) : `${content(e)}@${e.at}`);

export function expectedEvents(matches: MatchesRecord[], options: WindowOptions = CLIP_WINDOWS): Map<string, SightingEvent> {
  const w = createWindows(options);
  const seen = new Set<string>();
  const out = new Map<string, SightingEvent>();
  for (const m of matches) {
    const id = `${m.camera}/${m.epoch}/${m.seq}`;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of w.add(m, 0)) out.set(eventId(e), e);
  }
  for (const e of w.flush(0, true)) out.set(eventId(e), e);
  return out;
}

export function tallyEvents(matches: MatchesRecord[], delivered: Array<SightingEvent & { at?: number }>, options: WindowOptions = CLIP_WINDOWS): EventTally {
  const expected = expectedEvents(matches, options);
  const first = new Map<string, string>();
  const conflicting = new Set<string>();
  const contents = new Map<string, Set<string>>();
  for (const e of delivered) {
    const k = eventId(e);
    const f = first.get(k);
    contents.set(k, (contents.get(k) ?? new Set()).add(seen(e)));
    if (f === undefined) first.set(k, content(e));
    else if (f !== content(e)) conflicting.add(k);
  }
  const lost = [...expected.keys()].filter((k) => !first.has(k));
  // Matches of a camera session that reached the collector after a later frame of the same session (first copies).
  const last = new Map<string, number>();
  let outOfOrder = 0;
  const once = new Set<string>();
  for (const m of matches) {
    const id = `${m.camera}/${m.epoch}/${m.seq}`;
    if (once.has(id)) continue;
    once.add(id);
    const k = `${m.camera}/${m.epoch}`;
    if (m.seq < (last.get(k) ?? -1)) outOfOrder++;
    last.set(k, Math.max(last.get(k) ?? -1, m.seq));
  }
  const unexpected = [...first.keys()].filter((k) => !expected.has(k));
  return {
    eventsExpected: expected.size,
    eventsDelivered: first.size,
    eventsLost: lost.length,
    eventsDuplicated: conflicting.size,
    eventsRawDuplicates: delivered.length - first.size,
    eventsUnexpected: unexpected.length,
    ...(lost.length ? { lostKeys: lost.slice(0, 8) } : {}),
    ...(unexpected.length ? { unexpectedKeys: unexpected.slice(0, 8) } : {}),
    ...(outOfOrder ? { matchesOutOfOrder: outOfOrder } : {}),
    ...(conflicting.size ? { conflicts: [...conflicting].slice(0, 8).map((key) => ({ key, delivered: [...contents.get(key)!], expected: expected.has(key) ? content(expected.get(key)!) : null })) } : {}),
  };
}
