// The dashboard's live view of a face flow's records (pipelines/dashboard/feed.ts): each camera's latest frame (kept
// at a low rate) with its face boxes, face thumbnails per camera and identity, unknown-face clusters with the
// embeddings needed to enrol them, and the sightings timeline. It keeps references, and encodes a picture only when
// one is asked for.
import type { CameraLive, ClusterLive, EnrolRequest, LabelledBox, LiveFeed, SightingLive } from '../../pipelines/dashboard/feed.js';
import type { EmbeddingsRecord, FacesRecord, FrameRecord, MatchesRecord, SightingEvent } from '../streams/records.js';
import { EMBEDDINGS, EVENTS, FACES, FRAMES, MATCHES } from '../streams/index.js';
import sharp from '../media/sharp.js';
import { enrolCluster, type EnrolTarget } from './dashboard-enrol.js';

export interface Picture {
  data: Uint8Array;
  format: 'jpeg' | 'rgb';
  width: number;
  height: number;
}

const SNAPSHOT_EVERY_MS = 1000;
/** A snapshot frame waits this long for its own matches (the boxes drawn on it); then it is shown without boxes. */
const BOXES_WAIT_MS = 3000;
const RECENT_PER_CAMERA = 16;
const MAX_SIGHTINGS = 500;
const EMBEDDINGS_PER_CLUSTER = 5;
const MAX_CLUSTERS = 1000;

const unknownPrefix = 'unknown:';
export const thumbKey = (camera: string, who: string) => `${camera}|${who}`;

interface Snapshot {
  picture: Picture;
  at: number;
  epoch: string;
  seq: number;
  boxes: LabelledBox[];
}

export class LiveView implements LiveFeed {
  /** Per camera the snapshot shown, with the boxes of its own frame (matched by epoch and seq). */
  private readonly frames = new Map<string, Snapshot>();
  /** Per camera the next snapshot, waiting for its frame's matches. */
  private readonly pending = new Map<string, Snapshot>();
  private readonly faces = new Map<string, FacesRecord[]>();
  private readonly embeddings = new Map<string, EmbeddingsRecord[]>();
  private readonly thumbs = new Map<string, Picture>();
  private readonly clusters = new Map<string, ClusterLive & { vectors: number[][] }>();
  private readonly sightings: SightingLive[] = [];
  private readonly listeners = new Set<(s: SightingLive) => void>();
  private nextSighting = 1;
  private nextCluster = 1;

  readonly enrol?: LiveFeed['enrol'];

  /** With a target, naming an unknown adds its embeddings to the gallery the run's match reads. */
  constructor(
    target?: EnrolTarget,
    private readonly now: () => number = Date.now,
  ) {
    if (target) this.enrol = async (req: EnrolRequest) => ({ ...(await enrolCluster(this, target, req)), into: target.galleryFile });
  }

  /** The runtime hook: what `operator` emitted on `stream`. */
  ingest(_operator: string, stream: string, records: readonly unknown[]): void {
    for (const r of records) {
      if (stream === FRAMES.name) this.frame(r as FrameRecord);
      else if (stream === FACES.name) this.remember(this.faces, r as FacesRecord);
      else if (stream === EMBEDDINGS.name) this.remember(this.embeddings, r as EmbeddingsRecord);
      else if (stream === MATCHES.name) this.matches(r as MatchesRecord);
      else if (stream === EVENTS.name) this.event(r as SightingEvent);
    }
  }

  onSighting(listener: (s: SightingLive) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async snapshot(camera: string, maxSide: number): Promise<Uint8Array | null> {
    const p = this.frames.get(camera)?.picture;
    return p ? jpegOf(p, maxSide) : null;
  }

  async thumbnail(key: string, maxSide: number): Promise<Uint8Array | null> {
    const p = this.thumbs.get(key);
    return p ? jpegOf(p, maxSide) : null;
  }

  /** The boxes found on the camera's snapshot frame (not on a later one: they are drawn over that picture). */
  cameraBoxes(camera: string): LabelledBox[] {
    return this.frames.get(camera)?.boxes ?? [];
  }

  cameras(): CameraLive[] {
    const names = new Set([...this.frames.keys(), ...this.pending.keys()]);
    return [...names].sort().map((camera) => {
      const f = this.frames.get(camera);
      return { camera, snapshotAt: f?.at ?? null, ...(f ? { width: f.picture.width, height: f.picture.height } : {}), boxes: this.cameraBoxes(camera) };
    });
  }

  recentSightings(limit = 200): SightingLive[] {
    return this.sightings.slice(-limit);
  }

  unknownClusters(): ClusterLive[] {
    return [...this.clusters.values()].map(({ vectors: _v, ...c }) => c).sort((a, b) => a.n - b.n);
  }

  cluster(id: string): (ClusterLive & { embeddings: number[][] }) | null {
    const c = this.clusters.get(id);
    return c ? { ...c, embeddings: c.vectors.map((v) => [...v]) } : null;
  }

  markNamed(id: string, name: string): void {
    const c = this.clusters.get(id);
    if (c) c.named = name;
  }

  /**
   * At most one frame a second becomes a camera's snapshot, once its matches have come (or BOXES_WAIT_MS passed
   * without: a frame dropped on the way to match has none).
   */
  private frame(f: FrameRecord): void {
    const at = this.now();
    const waiting = this.pending.get(f.camera);
    if (waiting && at - waiting.at >= BOXES_WAIT_MS) this.show(f.camera, waiting, []);
    if (this.pending.has(f.camera)) return;
    const shown = this.frames.get(f.camera);
    if (shown && at - shown.at < SNAPSHOT_EVERY_MS) return;
    this.pending.set(f.camera, { picture: { data: f.data, format: f.format, width: f.width, height: f.height }, at, epoch: f.epoch, seq: f.seq, boxes: [] });
  }

  private show(camera: string, s: Snapshot, boxes: LabelledBox[]): void {
    this.pending.delete(camera);
    this.frames.set(camera, { ...s, at: this.now(), boxes });
  }

  private remember<T extends { camera: string }>(by: Map<string, T[]>, r: T): void {
    const list = by.get(r.camera) ?? [];
    list.push(r);
    if (list.length > RECENT_PER_CAMERA) list.shift();
    by.set(r.camera, list);
  }

  private matches(m: MatchesRecord): void {
    const faces = this.faces.get(m.camera)?.find((f) => f.seq === m.seq);
    const embedded = this.embeddings.get(m.camera)?.find((e) => e.seq === m.seq);
    const labelled: LabelledBox[] = [];
    for (const face of m.faces) {
      let who = face.identity;
      let label = face.identity ?? 'unknown';
      if (!who && face.clusterId) {
        const c = this.clusterFor(face.clusterId, m.camera);
        const vector = embedded?.faces.find((e) => e.index === face.index)?.embedding;
        if (vector) {
          c.vectors.push([...vector]);
          if (c.vectors.length > EMBEDDINGS_PER_CLUSTER) c.vectors.shift();
        }
        who = `${unknownPrefix}${face.clusterId}`;
        label = `unknown #${c.n}`;
      }
      labelled.push({ box: face.box, label });
      const crop = faces?.faces.find((f) => f.index === face.index);
      if (who && crop) this.thumbs.set(thumbKey(m.camera, who), { data: crop.crop, format: crop.cropFormat ?? 'jpeg', width: crop.cropBox[2], height: crop.cropBox[3] });
    }
    const waiting = this.pending.get(m.camera);
    if (waiting && waiting.epoch === m.epoch && waiting.seq === m.seq) this.show(m.camera, waiting, labelled);
  }

  private clusterFor(id: string, camera: string): ClusterLive & { vectors: number[][] } {
    let c = this.clusters.get(id);
    const at = this.now();
    if (!c) {
      c = { id, n: this.nextCluster++, camera, firstSeen: at, lastSeen: at, vectors: [] };
      this.clusters.set(id, c);
      if (this.clusters.size > MAX_CLUSTERS) this.clusters.delete(this.clusters.keys().next().value!);
    }
    c.lastSeen = at;
    return c;
  }

  private event(e: SightingEvent): void {
    const clusterId = e.identity.startsWith(unknownPrefix) ? e.identity.slice(unknownPrefix.length) : null;
    const label = clusterId ? `unknown #${this.clusterFor(clusterId, e.camera).n}` : e.identity;
    const key = thumbKey(e.camera, e.identity);
    const s: SightingLive = {
      id: this.nextSighting++,
      camera: e.camera,
      label,
      clusterId,
      from: e.from,
      to: e.to,
      frames: e.frames,
      bestScore: e.bestScore,
      thumb: this.thumbs.has(key) ? key : null,
    };
    this.sightings.push(s);
    if (this.sightings.length > MAX_SIGHTINGS) this.sightings.shift();
    for (const l of this.listeners) l(s);
  }
}

async function jpegOf(p: Picture, maxSide: number): Promise<Buffer> {
  const input = p.format === 'rgb' ? sharp(p.data, { raw: { width: p.width, height: p.height, channels: 3 } }) : sharp(p.data);
  return input.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 75 }).toBuffer();
}
