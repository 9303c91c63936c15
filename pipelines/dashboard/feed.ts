// What the dashboard shows of a run's own records: cameras (the latest frame, with labelled boxes), a timeline of
// sightings, and unknowns a person can name (enrol). The engine draws these and serves their pictures; it does not
// know the streams behind them. A feed is made by an operator module's extension (pipelines/extension.ts) for a plan
// it recognises, and is fed by the runtime's per-operator output hook (ChainEnv.onOutput).
import { TierflowError } from '../errors.js';

/** x, y, width, height in the frame's pixels. */
export type Box = [number, number, number, number];

export interface LabelledBox {
  box: Box;
  label: string;
}

export interface CameraLive {
  camera: string;
  snapshotAt: number | null;
  width?: number;
  height?: number;
  boxes: LabelledBox[];
}

export interface ClusterLive {
  /** An opaque id of an unknown the feed can name. */
  id: string;
  /** "unknown #n": numbered in the order this dashboard first saw them. */
  n: number;
  camera: string;
  firstSeen: number;
  lastSeen: number;
  /** Named (enrolled) under this identity. */
  named?: string;
}

export interface SightingLive {
  id: number;
  camera: string;
  /** A known identity, or "unknown #n". */
  label: string;
  clusterId: string | null;
  from: number;
  to: number;
  frames: number;
  bestScore: number;
  /** Key of the thumbnail (camera + identity or cluster), when one was seen. */
  thumb: string | null;
}

export const MAX_UPLOAD_BYTES = 4 << 20;

/** A refused enrolment: a TierflowError with the HTTP status the dashboard answers with. */
export class EnrolRefused extends TierflowError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(status === 415 ? 'IMAGE_UNREADABLE' : 'BAD_ARGUMENT', message, { exitCode: 2 });
  }
}

export interface EnrolRequest {
  clusterId: string;
  name: string;
  /** An optional photo of the person, as uploaded (at most MAX_UPLOAD_BYTES). */
  photo?: { contentType: string; bytes: Buffer };
}

export interface LiveFeed {
  /** The runtime hook: what `operator` emitted on `stream`. */
  ingest(operator: string, stream: string, records: readonly unknown[]): void;
  onSighting(listener: (s: SightingLive) => void): () => void;
  /** The camera's latest frame as a JPEG, at most maxSide pixels a side; null when none came yet. */
  snapshot(camera: string, maxSide: number): Promise<Uint8Array | null>;
  /** A sighting's thumbnail (SightingLive.thumb) as a JPEG; null when there is none. */
  thumbnail(key: string, maxSide: number): Promise<Uint8Array | null>;
  cameras(): CameraLive[];
  recentSightings(limit?: number): SightingLive[];
  unknownClusters(): ClusterLive[];
  /** Names an unknown (throws EnrolRefused); absent when the run has nothing to enrol into. `into`: where it went. */
  enrol?(req: EnrolRequest): Promise<{ name: string; embeddings: number; into: string }>;
}
