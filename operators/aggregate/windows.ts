// Event-time windows over matches, per camera and identity (and per face track with `perTrack`). A window closes
// once its camera's capture time passes its end. A camera without records for `idleMs` is taken to be quiet: from then on its capture time advances with
// the wall clock, so it still closes its windows, whatever its clock's offset (files start at 0). The operator hands
// in the engine's chain clock (OperatorContext.now), which stands still while its input has no broker: a broker
// outage is no silence, and the records queued upstream during it are not dropped as late when it ends.
// A closed window is emitted once; records arriving for it later are counted as late and dropped, rather than
// re-opening it and reporting the same sighting twice.
// Everything that must survive a restart (open windows, each camera's clock and how far it has emitted) lives in a
// keyed store: the engine's state store in the operator (changelog-backed), a Map in unit tests.
import type { MatchesRecord, SightingEvent } from '../streams/records.js';
import type { StateStore } from '../../pipelines/operator.js';

export interface WindowOptions {
  kind: 'tumbling' | 'sliding';
  sizeMs: number;
  /** Sliding windows only: a new window starts every slideMs. */
  slideMs: number;
  minFrames: number;
  /** Report unknown faces under `unknown:<clusterId>`. */
  includeUnknown: boolean;
  /** One sighting per face track (detect's tracking) and window: a person who leaves and comes back, or two people
   *  given one name, are separate sightings. Untracked faces (track 0) are counted per identity as without it. */
  perTrack?: boolean;
  /**
   * How long a camera must go without records before its time advances with the wall clock (0: at once). Records
   * wait in the pipeline (detect under load, a restarted worker's backlog), so a short silence is no quiet camera:
   * closing its windows then would drop the records still on their way as late.
   */
  idleMs?: number;
}

export interface OpenWindow {
  camera: string;
  identity: string;
  /** 0: per identity (state v1 windows read as 0). */
  track: number;
  start: number;
  from: number;
  to: number;
  firstSeq: number;
  lastSeq: number;
  /** Frames seen, by record identity (`<epoch>:<seq>`): a replayed or repeated frame counts once. */
  frames: string[];
  bestScore: number;
  bestDistance: number;
}

/** What survives of a camera's clock. When its last record arrived is not kept: that is this process's wall clock,
 *  so after a restore a camera counts as quiet only from the restore on (records queued meanwhile are not late). */
export interface CameraClock {
  camera: string;
  watermark: number;
  /** Windows ending at or before this were emitted; null: none yet. */
  closedUntil: number | null;
}

/** One stored value: an open window or a camera's clock. */
export interface WindowEntry {
  window: OpenWindow | null;
  clock: CameraClock | null;
}

/** The keyed store the windows live in: the part of the engine's StateStore they use (a Map has it too). */
export type WindowStore = Pick<StateStore<WindowEntry>, 'get' | 'set' | 'delete' | 'entries'>;

/** Avro schema of a WindowEntry, v1: windows per camera and identity only. Kept so a restore reads its records. */
export const WINDOW_ENTRY_SCHEMA_V1 = windowEntrySchema([]);

/** v2: an open window's track (0: per identity), with a default so v1 records read as what they meant. */
export const WINDOW_ENTRY_SCHEMA = windowEntrySchema([{ name: 'track', type: 'long', default: 0 }]);

/** Avro schema of a WindowEntry, what the aggregate operator declares as its state, with `added` window fields. */
function windowEntrySchema(added: ReadonlyArray<{ name: string; type: string; default: unknown }>) {
  return {
    type: 'record',
    name: 'AggregateState',
    namespace: 'dev.tierflow.state',
    fields: [
      {
        name: 'window',
        type: ['null', {
          type: 'record',
          name: 'OpenWindow',
          fields: [
            { name: 'camera', type: 'string' },
            { name: 'identity', type: 'string' },
            { name: 'start', type: 'double' },
            { name: 'from', type: 'double' },
            { name: 'to', type: 'double' },
            { name: 'firstSeq', type: 'long' },
            { name: 'lastSeq', type: 'long' },
            { name: 'frames', type: { type: 'array', items: 'string' } },
            { name: 'bestScore', type: 'double' },
            { name: 'bestDistance', type: 'double' },
            ...added,
          ],
        }],
      },
      {
        name: 'clock',
        type: ['null', {
          type: 'record',
          name: 'CameraClock',
          fields: [
            { name: 'camera', type: 'string' },
            { name: 'watermark', type: 'double' },
            { name: 'closedUntil', type: ['null', 'double'] },
          ],
        }],
      },
    ],
  };
}

export interface Windows {
  /** `arrival` is the wall-clock time the record arrived, ms since epoch. */
  add(record: MatchesRecord, arrival?: number): SightingEvent[];
  /** Emits windows whose camera time has passed their end at wall-clock `now`; with `final`, every open window. */
  flush(now: number, final: boolean): SightingEvent[];
  /** Records dropped because their window had already been emitted. */
  readonly late: number;
}

// A track's windows get the track in their key; v1's keys (no track) are those of track 0.
const windowKey = (camera: string, identity: string, track: number, start: number) => `w\u0000${camera}\u0000${identity}\u0000${start}${track ? `\u0000${track}` : ''}`;
const clockKey = (camera: string) => `c\u0000${camera}`;

export function createWindows(options: WindowOptions, store: WindowStore = new Map()): Windows {
  const { sizeMs } = options;
  const step = options.kind === 'tumbling' ? sizeMs : options.slideMs;
  const label = options.kind === 'tumbling' ? `tumbling ${sizeMs}ms` : `sliding ${sizeMs}ms every ${step}ms`;
  let late = 0;
  const lastArrival = new Map<string, number>();
  const clockOf = (camera: string) => store.get(clockKey(camera))?.clock ?? null;

  function startsFor(ts: number): number[] {
    const starts: number[] = [];
    for (let s = Math.floor(ts / step) * step; s > ts - sizeMs; s -= step) starts.push(s);
    return starts;
  }

  function close(pred: (w: OpenWindow) => boolean): SightingEvent[] {
    const done: Array<[string, OpenWindow]> = [];
    for (const [key, e] of store.entries()) if (e.window && pred(e.window)) done.push([key, e.window]);
    const until = new Map<string, number>();
    for (const [key, w] of done) {
      store.delete(key);
      until.set(w.camera, Math.max(until.get(w.camera) ?? -Infinity, w.start + sizeMs));
    }
    for (const [camera, end] of until) {
      const clock = clockOf(camera);
      if (clock) store.set(clockKey(camera), { window: null, clock: { ...clock, closedUntil: Math.max(clock.closedUntil ?? -Infinity, end) } });
    }
    const windows = done.map(([, w]) => w).sort((a, b) => a.start - b.start || a.camera.localeCompare(b.camera) || a.identity.localeCompare(b.identity) || a.track - b.track);
    return windows.filter((w) => w.frames.length >= options.minFrames).map((w) => ({
      camera: w.camera, identity: w.identity, windowStart: w.start, from: w.from, to: w.to, firstSeq: w.firstSeq, lastSeq: w.lastSeq,
      frames: w.frames.length, bestScore: w.bestScore, bestDistance: w.bestDistance, window: label, track: w.track,
    }));
  }

  return {
    get late() { return late; },
    add(record, arrival = Date.now()) {
      const { camera, captureTs: ts, seq } = record;
      const frame = `${record.epoch}:${seq}`;
      const closedUntil = clockOf(camera)?.closedUntil ?? -Infinity;
      for (const face of record.faces) {
        const identity = face.identity ?? (options.includeUnknown && face.clusterId ? `unknown:${face.clusterId}` : null);
        if (identity === null) continue;
        const track = options.perTrack ? (face.track ?? 0) : 0;
        for (const start of startsFor(ts)) {
          if (start + sizeMs <= closedUntil) { late++; continue; }
          const key = windowKey(camera, identity, track, start);
          const w = store.get(key)?.window;
          if (!w) {
            store.set(key, { clock: null, window: { camera, identity, track, start, from: ts, to: ts, firstSeq: seq, lastSeq: seq, frames: [frame], bestScore: face.score, bestDistance: face.distance } });
            continue;
          }
          // Frames of a file read faster than real time can share a capture ms: the sequence breaks the tie.
          const next = { ...w, bestScore: Math.max(w.bestScore, face.score), bestDistance: Math.min(w.bestDistance, face.distance) };
          if (ts < w.from || (ts === w.from && seq < w.firstSeq)) { next.from = ts; next.firstSeq = seq; }
          if (ts > w.to || (ts === w.to && seq > w.lastSeq)) { next.to = ts; next.lastSeq = seq; }
          if (!w.frames.includes(frame)) next.frames = [...w.frames, frame];
          store.set(key, { clock: null, window: next });
        }
      }
      const clock = clockOf(camera);
      const mark = Math.max(clock?.watermark ?? -Infinity, ts);
      lastArrival.set(camera, arrival);
      if (mark !== clock?.watermark) store.set(clockKey(camera), { window: null, clock: { camera, watermark: mark, closedUntil: clock?.closedUntil ?? null } });
      return close((w) => w.camera === camera && w.start + sizeMs <= mark);
    },
    flush(now, final) {
      const cameraNow = (camera: string) => {
        const c = clockOf(camera);
        if (!c) return -Infinity; // no clock for the camera: nothing to close by
        if (!lastArrival.has(camera)) lastArrival.set(camera, now);
        return c.watermark + Math.max(0, now - lastArrival.get(camera)! - (options.idleMs ?? 0));
      };
      return close((w) => final || w.start + sizeMs <= cameraNow(w.camera));
    },
  };
}
