// How a sighting reads on a terminal: one line, columns that line up for typical camera and identity names.
//   cam-1     Lin-Manuel Miranda    12:01:03–12:01:08  14 frames  best 0.31
// A sighting per track (aggregate's perTrack) ends with its track: `  track 3`.
// "best" is the smallest face distance of the sighting (lower = surer), the figure people compare to the threshold.
import type { SightingEvent } from '../streams/records.js';

export interface TextFormatOptions {
  /** IANA zone for the clock times; the machine's own when omitted. */
  timeZone?: string;
}

function clock(ms: number, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(ms));
}

export function formatSightingText(e: SightingEvent, opts: TextFormatOptions = {}): string {
  const frames = `${e.frames} ${e.frames === 1 ? 'frame' : 'frames'}`;
  const span = `${clock(e.from, opts.timeZone)}–${clock(e.to, opts.timeZone)}`;
  const columns = [e.camera.padEnd(8), e.identity.padEnd(20), span, frames.padEnd(9), `best ${e.bestDistance.toFixed(2)}`];
  return (e.track ? [...columns, `track ${e.track}`] : columns).join('  ');
}

/** The event as one JSON line: every field of the record, nothing added. */
export function formatSightingJson(e: SightingEvent): string {
  return JSON.stringify(e);
}
