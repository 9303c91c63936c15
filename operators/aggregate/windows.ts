// Event-time windows over matches, per camera and identity. A window closes once its camera's capture time passes
// its end. Between records a camera's capture time is taken to advance with the wall clock since its last record
// arrived, so a camera that goes quiet still closes its windows, whatever its clock's offset (files start at 0).
// A closed window is emitted once; records arriving for it later are counted as late and dropped, rather than
// re-opening it and reporting the same sighting twice.
import type { MatchesRecord, SightingEvent } from '../../pipelines/streams/records.js';

export interface WindowOptions {
  kind: 'tumbling' | 'sliding';
  sizeMs: number;
  /** Sliding windows only: a new window starts every slideMs. */
  slideMs: number;
  minFrames: number;
  /** Report unknown faces under `unknown:<clusterId>`. */
  includeUnknown: boolean;
}

interface Open {
  camera: string;
  identity: string;
  start: number;
  from: number;
  to: number;
  firstSeq: number;
  lastSeq: number;
  seqs: Set<number>;
  bestScore: number;
  bestDistance: number;
}

export interface Windows {
  /** `arrival` is the wall-clock time the record arrived, ms since epoch. */
  add(record: MatchesRecord, arrival?: number): SightingEvent[];
  /** Emits windows whose camera time has passed their end at wall-clock `now`; with `final`, every open window. */
  flush(now: number, final: boolean): SightingEvent[];
  /** Records dropped because their window had already been emitted. */
  readonly late: number;
}

export function createWindows(options: WindowOptions): Windows {
  const { sizeMs } = options;
  const step = options.kind === 'tumbling' ? sizeMs : options.slideMs;
  const label = options.kind === 'tumbling' ? `tumbling ${sizeMs}ms` : `sliding ${sizeMs}ms every ${step}ms`;
  const open = new Map<string, Open>();
  const watermark = new Map<string, number>();
  const lastArrival = new Map<string, number>();
  /** Per camera: windows ending at or before this were emitted. */
  const closedUntil = new Map<string, number>();
  let late = 0;

  function startsFor(ts: number): number[] {
    const starts: number[] = [];
    for (let s = Math.floor(ts / step) * step; s > ts - sizeMs; s -= step) starts.push(s);
    return starts;
  }

  function close(pred: (w: Open) => boolean): SightingEvent[] {
    const done: Open[] = [];
    for (const [key, w] of open) if (pred(w)) { done.push(w); open.delete(key); }
    for (const w of done) closedUntil.set(w.camera, Math.max(closedUntil.get(w.camera) ?? -Infinity, w.start + sizeMs));
    done.sort((a, b) => a.start - b.start || a.camera.localeCompare(b.camera) || a.identity.localeCompare(b.identity));
    return done.filter((w) => w.seqs.size >= options.minFrames).map((w) => ({
      camera: w.camera, identity: w.identity, from: w.from, to: w.to, firstSeq: w.firstSeq, lastSeq: w.lastSeq,
      frames: w.seqs.size, bestScore: w.bestScore, bestDistance: w.bestDistance, window: label,
    }));
  }

  return {
    get late() { return late; },
    add(record, arrival = Date.now()) {
      const { camera, captureTs: ts, seq } = record;
      for (const face of record.faces) {
        const identity = face.identity ?? (options.includeUnknown && face.clusterId ? `unknown:${face.clusterId}` : null);
        if (identity === null) continue;
        for (const start of startsFor(ts)) {
          if (start + sizeMs <= (closedUntil.get(camera) ?? -Infinity)) { late++; continue; }
          const key = `${camera}\u0000${identity}\u0000${start}`;
          const w = open.get(key);
          if (!w) {
            open.set(key, { camera, identity, start, from: ts, to: ts, firstSeq: seq, lastSeq: seq, seqs: new Set([seq]), bestScore: face.score, bestDistance: face.distance });
            continue;
          }
          // Frames of a file read faster than real time can share a capture ms: the sequence breaks the tie.
          if (ts < w.from || (ts === w.from && seq < w.firstSeq)) { w.from = ts; w.firstSeq = seq; }
          if (ts > w.to || (ts === w.to && seq > w.lastSeq)) { w.to = ts; w.lastSeq = seq; }
          w.seqs.add(seq);
          w.bestScore = Math.max(w.bestScore, face.score);
          w.bestDistance = Math.min(w.bestDistance, face.distance);
        }
      }
      const mark = Math.max(watermark.get(camera) ?? -Infinity, ts);
      watermark.set(camera, mark);
      lastArrival.set(camera, arrival);
      return close((w) => w.camera === camera && w.start + sizeMs <= mark);
    },
    flush(now, final) {
      const cameraNow = (camera: string) => watermark.get(camera)! + Math.max(0, now - lastArrival.get(camera)!);
      return close((w) => final || w.start + sizeMs <= cameraNow(w.camera));
    },
  };
}
