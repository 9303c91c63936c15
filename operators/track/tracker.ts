// Face tracks across the frames of one camera, in the spirit of SORT (Bewley et al. 2016): each track predicts where
// its face is next (constant velocity), detections are associated with the predictions by overlap (IoU), and a face
// keeps its track id while it stays in view. What a track buys is work not done: a face is embedded and matched when
// its track starts, and then only when it is due (every `reembedEvery` frames; sooner while its identity is unknown;
// at once when it comes much closer), its identity carried along the track in between. Frames without detection
// (a detection interval) advance the tracks by prediction alone (`coast`).
// Pure: no frames, no models, no clock but the frames it is given. The track operator wraps one per camera.
import type { Box } from '../streams/records.js';

export interface TrackerOptions {
  /** Least overlap between a track's predicted box and a detection for the detection to continue the track. */
  iouThreshold: number;
  /** Frames a track lives on without a detection (occluded, merged with another face, briefly out of view). */
  maxAge: number;
  /** A track with an identity is embedded again every this many frames. */
  reembedEvery: number;
  /** A track whose identity is unknown (no gallery entry matched) is tried again every this many frames. */
  unknownRetryEvery: number;
  /** A track is embedded again at once when its box's area reaches this multiple of the one last embedded. */
  growthToReembed: number;
}

export const DEFAULT_TRACKER: TrackerOptions = { iouThreshold: 0.3, maxAge: 15, reembedEvery: 30, unknownRetryEvery: 5, growthToReembed: 1.5 };

export interface TrackState {
  id: number;
  /** Where the face is (its last detection, or the prediction while it coasts). */
  box: Box;
  /** Its last detection. */
  seen: Box;
  /** Per frame: dx, dy, dw, dh. */
  velocity: [number, number, number, number];
  /** Frames since it last had a detection (0: detected in the latest frame). */
  missed: number;
  /** Detections it has had. */
  hits: number;
  /** Frame of its last embedding and that box's area; null: never embedded. */
  embeddedAt: number | null;
  embeddedArea: number;
  /** undefined: not matched yet; null: matched, nobody in the gallery; else the identity. */
  identity: string | null | undefined;
}

/** What became of one detection of a frame. */
export interface Assignment {
  /** The detection's index in the frame's list. */
  detection: number;
  track: number;
  /** The detection started the track. */
  started: boolean;
  /** Embed and match this face now; otherwise carry the track's identity. */
  due: boolean;
  /** The track's identity as known now (see TrackState.identity). */
  identity: string | null | undefined;
}

export interface Tracker {
  /** A frame with detections: tracks predicted, associated, updated; unmatched ones age; detections left start tracks. */
  step(detections: readonly Box[]): Assignment[];
  /** A frame without detection: every track moves by its prediction and ages. Returns the live tracks. */
  coast(): TrackState[];
  /** The result of matching a track's embedding (by track id; a track that has ended meanwhile is ignored). */
  identify(track: number, identity: string | null): void;
  /** Live tracks. */
  tracks(): TrackState[];
  /** Tracks ended since the last call (their faces left, or were not seen for maxAge frames). */
  ended(): TrackState[];
  /** Frames seen (step and coast). */
  readonly frame: number;
  /** The id the next track gets. */
  readonly nextId: number;
}

export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a[0], b[0]);
  const y1 = Math.max(a[1], b[1]);
  const x2 = Math.min(a[0] + a[2], b[0] + b[2]);
  const y2 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

const area = (b: Box) => b[2] * b[3];
/** How much of a new measurement of motion replaces the old estimate. */
const VELOCITY_GAIN = 0.6;

/** `firstId`: where track ids start (a camera's tracker started over mid-session continues its numbering). */
export function createTracker(options: TrackerOptions = DEFAULT_TRACKER, firstId = 1): Tracker {
  let live: TrackState[] = [];
  let done: TrackState[] = [];
  let nextId = firstId;
  let frame = 0;

  const predicted = (t: TrackState): Box => {
    const [x, y, w, h] = t.box;
    const [dx, dy, dw, dh] = t.velocity;
    return [x + dx, y + dy, Math.max(1, w + dw), Math.max(1, h + dh)];
  };

  const due = (t: TrackState): boolean => {
    if (t.embeddedAt === null) return true;
    const since = frame - t.embeddedAt;
    if (area(t.box) >= options.growthToReembed * t.embeddedArea) return true;
    // Unknown, or its match result not back yet: tried again sooner.
    return since >= (typeof t.identity === 'string' ? options.reembedEvery : options.unknownRetryEvery);
  };

  /** Tracks not seen for more than maxAge frames end. */
  const retire = () => {
    const keep: TrackState[] = [];
    for (const t of live) (t.missed > options.maxAge ? done : keep).push(t);
    live = keep;
  };

  return {
    get frame() {
      return frame;
    },
    get nextId() {
      return nextId;
    },
    step(detections) {
      frame++;
      const guesses = live.map(predicted);
      // Greedy association by overlap, best pairs first (SORT solves it with the Hungarian method; with the few faces
      // of one camera, best-first gives the same pairs but where two overlaps tie).
      const pairs: Array<{ t: number; d: number; o: number }> = [];
      guesses.forEach((g, t) => detections.forEach((d, di) => {
        const o = iou(g, d);
        if (o >= options.iouThreshold) pairs.push({ t, d: di, o });
      }));
      pairs.sort((a, b) => b.o - a.o || a.t - b.t || a.d - b.d);
      const trackOf = new Map<number, number>();
      const taken = new Set<number>();
      for (const p of pairs) {
        if (taken.has(p.t) || trackOf.has(p.d)) continue;
        taken.add(p.t);
        trackOf.set(p.d, p.t);
      }
      const out: Assignment[] = [];
      live.forEach((t, i) => {
        if (taken.has(i)) return;
        t.box = guesses[i]!;
        t.missed++;
      });
      detections.forEach((d, di) => {
        const ti = trackOf.get(di);
        let t: TrackState;
        let started = false;
        if (ti === undefined) {
          t = { id: nextId++, box: d, seen: d, velocity: [0, 0, 0, 0], missed: 0, hits: 1, embeddedAt: null, embeddedArea: 0, identity: undefined };
          live.push(t);
          started = true;
        } else {
          t = live[ti]!;
          // The motion measured since the last detection (over the frames between), blended into the estimate.
          const frames = t.missed + 1;
          const measured = t.seen.map((v, k) => (d[k]! - v) / frames);
          t.velocity = t.velocity.map((v, k) => (t.hits === 1 ? measured[k]! : VELOCITY_GAIN * measured[k]! + (1 - VELOCITY_GAIN) * v)) as TrackState['velocity'];
          t.box = d;
          t.seen = d;
          t.missed = 0;
          t.hits++;
        }
        const isDue = due(t);
        if (isDue) {
          t.embeddedAt = frame;
          t.embeddedArea = area(t.box);
        }
        out.push({ detection: di, track: t.id, started, due: isDue, identity: t.identity });
      });
      retire();
      return out;
    },
    coast() {
      frame++;
      for (const t of live) {
        t.box = predicted(t);
        t.missed++;
      }
      retire();
      return live.map((t) => ({ ...t }));
    },
    identify(track, identity) {
      const t = live.find((x) => x.id === track);
      if (t) t.identity = identity;
    },
    tracks() {
      return live.map((t) => ({ ...t }));
    },
    ended() {
      const e = done;
      done = [];
      return e;
    },
  };
}
