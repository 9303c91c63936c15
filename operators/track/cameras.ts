// Per camera, what detect does with each frame when tracking is on: detect it, let the tracks coast through it
// (a detection interval), or skip it as a still scene; and, for a detected frame, which faces are embedded now and
// which carry their track's identity. A camera's tracks start over with each decode session (its epoch).
import type { Box } from '../streams/records.js';
import { createTracker, type Tracker, type TrackerOptions } from './tracker.js';
import { MotionGate, DEFAULT_MOTION } from './motion.js';
import { IDENTITIES, trackKey, type IdentityBoard } from './identities.js';

/** Fraction of a camera's thumbnail that changes at once in a new shot (a cut, the camera turned); motion in a
 *  shot changes far less (people moving in front of a 640x360 camera: a few percent). */
const NEW_SHOT = 0.5;

export interface TrackingOptions extends TrackerOptions {
  /** Detect every this many frames; the tracks coast through the frames between. 1: every frame. */
  interval: number;
  /** Skip detection in frames where nothing moved while no track is live. */
  motion: boolean;
}

/** detect: run the detector; coast: the tracks predict the faces; still: nothing moved and nobody is in view. */
export type FramePlan = 'detect' | 'coast' | 'still';

/** A face of a frame: where it is, its track, and whether to embed it now (else its track's identity is carried). */
export interface TrackedFace {
  box: Box;
  score: number;
  track: number;
  embed: boolean;
}

interface Camera {
  epoch: string;
  tracker: Tracker;
  /** Frames since the last detected one (none yet: infinitely many, so the first frame is detected). */
  sinceDetect: number;
  /** Tracks seen in the last detected frame, with their scores: what a coasted frame shows. */
  shown: Map<number, number>;
  /** Every live track was seen in the last detected frame: coasting is safe. */
  confident: boolean;
}

export class CameraTracking {
  private readonly cameras = new Map<string, Camera>();
  private readonly gate = new MotionGate(DEFAULT_MOTION);

  constructor(
    private readonly options: TrackingOptions,
    private readonly board: IdentityBoard = IDENTITIES,
  ) {}

  private camera(camera: string, epoch: string): Camera {
    const c = this.cameras.get(camera);
    if (c && c.epoch === epoch) return c;
    if (c) this.forget(camera, c, c.tracker.tracks());
    return this.restart(camera, epoch);
  }

  private restart(camera: string, epoch: string, firstTrack = 1): Camera {
    const c: Camera = { epoch, tracker: createTracker(this.options, firstTrack), sinceDetect: Number.POSITIVE_INFINITY, shown: new Map(), confident: false };
    this.cameras.set(camera, c);
    return c;
  }

  private forget(camera: string, c: Camera, tracks: ReadonlyArray<{ id: number }>): void {
    for (const t of tracks) this.board.forget(trackKey(camera, c.epoch, t.id));
  }

  /** What to do with this frame; `rgb` is its packed RGB (for the motion check). */
  plan(camera: string, epoch: string, rgb: Uint8Array, width: number, height: number): FramePlan {
    const c = this.camera(camera, epoch);
    // Without the motion check, every frame counts as moved and none as a new shot.
    const change = this.options.motion ? this.gate.change(camera, rgb, width, height) : null;
    if (change !== null && change >= NEW_SHOT && c.tracker.frame > 0) {
      // A cut: a face where another was is someone else. Every track ends; the new shot is detected at once.
      this.forget(camera, c, c.tracker.tracks());
      this.restart(camera, epoch, c.tracker.nextId);
      return 'detect';
    }
    const moved = change === null || change > DEFAULT_MOTION.changedFraction;
    const live = c.tracker.tracks().length > 0;
    if (!live && !moved) return 'still';
    // Between detections (as DeepStream's `interval`): a face that appears is found at the next one, at most
    // interval - 1 frames later; a track that was lost, or whose motion is not measured yet, is detected at once.
    if ((!live || c.confident) && c.sinceDetect + 1 < this.options.interval) return 'coast';
    return 'detect';
  }

  /** A frame not detected: the tracks move by prediction; the faces shown are those seen at the last detection. */
  coast(camera: string, epoch: string): TrackedFace[] {
    const c = this.camera(camera, epoch);
    c.sinceDetect++;
    const live = c.tracker.coast();
    this.forget(camera, c, c.tracker.ended());
    return live.filter((t) => c.shown.has(t.id)).map((t) => ({ box: t.box, score: c.shown.get(t.id)!, track: t.id, embed: false }));
  }

  /** A still frame: nothing to show, the tracker's clock moves on. */
  still(camera: string, epoch: string): void {
    const c = this.camera(camera, epoch);
    c.sinceDetect++;
    c.tracker.coast();
    this.forget(camera, c, c.tracker.ended());
  }

  /** A detected frame: the detections joined to tracks, in the order given. */
  detected(camera: string, epoch: string, detections: ReadonlyArray<{ box: Box; score: number }>): TrackedFace[] {
    const c = this.camera(camera, epoch);
    // What match has said of the live tracks since, so the schedule knows who is known.
    for (const t of c.tracker.tracks()) {
      const heard = this.board.read(trackKey(camera, epoch, t.id));
      if (heard !== undefined && heard !== t.identity) c.tracker.identify(t.id, heard);
    }
    const assigned = c.tracker.step(detections.map((d) => d.box));
    this.forget(camera, c, c.tracker.ended());
    c.sinceDetect = 0;
    c.shown = new Map(assigned.map((a) => [a.track, detections[a.detection]!.score]));
    // Coasting needs every track seen now and its motion measured (two detections at least).
    c.confident = c.tracker.tracks().every((t) => t.missed === 0 && t.hits >= 2);
    return assigned.map((a) => ({ box: detections[a.detection]!.box, score: detections[a.detection]!.score, track: a.track, embed: a.due }));
  }
}
