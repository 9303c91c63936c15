// The records of the face flow's streams (declared in ./index.ts): frames -> faces -> embeddings -> matches -> events.

import type { Captured } from '../../pipelines/streams/stream.js';

/** Every face record says where and when its frame was captured (the engine's Captured: identity (camera, epoch,
 *  seq), aged by captureTs). decode mints a new epoch whenever a camera's session starts (operators/decode/epoch.ts). */
export type { Captured };

/** [x, y, width, height] in pixels of the frame the record refers to. */
export type Box = [number, number, number, number];

export interface FrameRecord extends Captured {
  width: number;
  height: number;
  /** 'jpeg' bytes, or 'rgb' packed 8-bit RGB of width*height*3 bytes. */
  format: 'jpeg' | 'rgb';
  data: Uint8Array;
}

export interface FaceCrop {
  index: number;
  box: Box;
  score: number;
  /** The region of the frame the crop image covers (the box, enlarged for alignment). */
  cropBox: Box;
  /** JPEG of the crop region. */
  crop: Uint8Array;
  /**
   * In memory only, never on a topic: 'rgb' when `crop` is packed RGB of exactly cropBox's size (detect hands
   * crops to a fused embed raw, skipping a JPEG encode and decode). Absent means JPEG, as on the wire.
   */
  cropFormat?: 'jpeg' | 'rgb';
  /** The face's track on its camera (0: untracked, as in records of v2 and older). */
  track: number;
  /** Its identity is carried along the track from an earlier frame: no crop (empty), nothing to embed. */
  carried: boolean;
}

export interface FacesRecord extends Captured {
  width: number;
  height: number;
  faces: FaceCrop[];
}

export interface FaceEmbedding {
  index: number;
  box: Box;
  score: number;
  /** 68 landmarks as x0, y0, x1, y1, ... in frame pixels. */
  landmarks: number[];
  /** 128-d, L2-normalised; empty when carried. */
  embedding: number[];
  track: number;
  /** Not embedded: match carries the track's identity (landmarks and embedding are empty). */
  carried: boolean;
}

export interface EmbeddingsRecord extends Captured {
  faces: FaceEmbedding[];
}

export interface FaceMatch {
  index: number;
  box: Box;
  score: number;
  /** Enrolled identity, or null when no gallery entry is within the threshold. */
  identity: string | null;
  distance: number;
  /** Stable id for an unknown face seen repeatedly, when cheap to compute. */
  clusterId: string | null;
  /** The face's track on its camera (0: untracked); a sighting's frames share it while the face stays in view. */
  track: number;
  /** identity, distance and clusterId are the track's, from the frame it was last embedded in. */
  carried: boolean;
}

export interface MatchesRecord extends Captured {
  faces: FaceMatch[];
}

export interface SightingEvent {
  camera: string;
  identity: string;
  /** Start of the window the sighting was counted in, ms of capture time: with camera and identity, the event's key. */
  windowStart: number;
  /** First and last capture time of the sighting, ms since epoch. */
  from: number;
  to: number;
  firstSeq: number;
  lastSeq: number;
  frames: number;
  bestScore: number;
  bestDistance: number;
  /** 'tumbling' or 'sliding', with the window length. */
  window: string;
  /** The face track the sighting followed (aggregate's perTrack, with detect's tracking); 0: every face of the
   *  identity in the window, tracked or not. Part of the key when not 0. */
  track: number;
}

/** The identity of a captured record (and of every record derived from the same frame). */
export const recordId = (r: Pick<Captured, 'camera' | 'epoch' | 'seq'>): string => `${r.camera}/${r.epoch}/${r.seq}`;

/** The key of a sighting event: one window of one identity (and track, when per track) on one camera. A replayed
 *  event has the same key. */
export const eventId = (e: Pick<SightingEvent, 'camera' | 'identity' | 'windowStart' | 'window' | 'track'>): string =>
  `${e.camera}/${e.identity}/${e.window}/${e.windowStart}${e.track ? `/track-${e.track}` : ''}`;
