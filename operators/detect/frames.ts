// The detect operator's core: decode frames, detect faces in batches across frames, cut JPEG crops. Takes the
// detector as a function so the batching and bad-frame handling do not depend on how detection is run.
import sharp from '../media/sharp.js';
import type { Detection, RgbImage } from '../../models/infer/detect.js';
import type { FaceCrop, FacesRecord, FrameRecord } from '../streams/records.js';
import type { CameraTracking, FramePlan, TrackedFace } from '../track/cameras.js';
import { cropBoxFor } from './crop.js';

export type BatchDetector = (images: RgbImage[]) => Promise<Detection[][]>;

export interface DetectFramesOptions {
  maxBatch: number;
  /** JPEG quality of the crops: high, because landmarks and embeddings are computed from them. */
  cropQuality?: number;
  /** Crops as packed RGB (cropFormat 'rgb') instead of JPEG: only when the records stay in memory (no topic). */
  rawCrops?: boolean;
  log: (message: string) => void;
  /** Track faces across frames (embed only faces that are due, skip still scenes, a detection interval). */
  tracking?: CameraTracking;
  /** Hears what was done with each frame when tracking (for the operator's counters). */
  onPlan?: (plan: FramePlan) => void;
}

/** Packed RGB of a frame record, or null (logged) when its bytes do not decode. */
export async function frameToRgb(frame: FrameRecord, log: (m: string) => void): Promise<RgbImage | null> {
  if (frame.format === 'rgb') {
    if (frame.data.length !== frame.width * frame.height * 3) {
      log(`detect: frame ${frame.camera}#${frame.seq} has ${frame.data.length} RGB bytes, expected ${frame.width}x${frame.height}x3; skipped`);
      return null;
    }
    return { data: frame.data, width: frame.width, height: frame.height };
  }
  try {
    // Read top to bottom once: ~10 % less CPU per 640x360 frame than libvips' default random access.
    const { data, info } = await sharp(frame.data, { failOn: 'error', sequentialRead: true }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (e) {
    log(`detect: frame ${frame.camera}#${frame.seq} is not a decodable JPEG (${(e as Error).message.split('\n')[0]}); skipped`);
    return null;
  }
}

async function cropJpeg(img: RgbImage, box: FaceCrop['cropBox'], quality: number): Promise<Uint8Array> {
  const [left, top, width, height] = box;
  const buf = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .extract({ left, top, width, height })
    .jpeg({ quality })
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

/** The crop region's pixels, copied row by row (a few KB: cheaper than a round trip through libvips). */
export function cropRgb(img: RgbImage, box: FaceCrop['cropBox']): Uint8Array {
  const [left, top, width, height] = box;
  const out = new Uint8Array(width * height * 3);
  const row = width * 3;
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * img.width + left) * 3;
    out.set(img.data.subarray(from, from + row), y * row);
  }
  return out;
}

/** The face crops of one frame: every detection cut out, or with tracking, only the faces due to be embedded (the
 *  others carry their track's identity and need no pixels). */
async function cropFaces(img: RgbImage, faces: readonly TrackedFace[], opts: DetectFramesOptions): Promise<FaceCrop[]> {
  const out: FaceCrop[] = [];
  for (const f of faces) {
    const cropBox = cropBoxFor(f.box, img.width, img.height);
    if (cropBox[2] === 0 || cropBox[3] === 0) continue; // a box entirely outside the frame
    const carried = !f.embed;
    const crop = carried
      ? { crop: new Uint8Array(0) }
      : opts.rawCrops
        ? { crop: cropRgb(img, cropBox), cropFormat: 'rgb' as const }
        : { crop: await cropJpeg(img, cropBox, opts.cropQuality ?? 92) };
    out.push({ index: out.length, box: f.box, score: f.score, cropBox, ...crop, track: f.track, carried });
  }
  return out;
}

/** Detections that can be cropped (a box entirely outside the frame cannot). */
const inFrame = (img: RgbImage, dets: readonly Detection[]) => dets.filter((d) => {
  const b = cropBoxFor(d.box, img.width, img.height);
  return b[2] > 0 && b[3] > 0;
});

/** Faces records for the decodable frames, in input order; frames without faces yield `faces: []`. */
export async function detectFrames(frames: FrameRecord[], detect: BatchDetector, opts: DetectFramesOptions): Promise<FacesRecord[]> {
  // Every JPEG decode starts now on libvips' threads, so later frames decode while earlier ones are inferred
  // (inference holds this thread); results are still taken in order.
  // Their complaints are held and logged in frame order.
  const decoding = frames.map((frame) => {
    const said: string[] = [];
    return frameToRgb(frame, (m) => said.push(m)).then((img) => ({ frame, img, said }));
  });
  // With tracking, what a frame needs depends on the frames of its camera before it: one frame at a time.
  const maxBatch = opts.tracking ? 1 : opts.maxBatch;
  const out: FacesRecord[] = [];
  for (let i = 0; i < decoding.length; i += maxBatch) {
    const chunk: Array<{ frame: FrameRecord; img: RgbImage }> = [];
    for (const { frame, img, said } of await Promise.all(decoding.slice(i, i + maxBatch))) {
      said.forEach((m) => opts.log(m));
      if (img) chunk.push({ frame, img });
    }
    if (chunk.length === 0) continue;
    const record = (frame: FrameRecord, img: RgbImage, faces: FaceCrop[]): FacesRecord => ({
      camera: frame.camera, epoch: frame.epoch, seq: frame.seq, captureTs: frame.captureTs, width: img.width, height: img.height, faces,
    });
    const tracking = opts.tracking;
    if (tracking) {
      const { frame, img } = chunk[0]!;
      const plan = tracking.plan(frame.camera, frame.epoch, img.data, img.width, img.height);
      if (plan === 'still') tracking.still(frame.camera, frame.epoch);
      const faces =
        plan === 'still' ? [] : plan === 'coast' ? tracking.coast(frame.camera, frame.epoch) : tracking.detected(frame.camera, frame.epoch, inFrame(img, (await detect([img]))[0] ?? []));
      opts.onPlan?.(plan);
      out.push(record(frame, img, await cropFaces(img, faces, opts)));
      continue;
    }
    const detections = await detect(chunk.map((d) => d.img));
    for (const [k, { frame, img }] of chunk.entries()) {
      const faces = (detections[k] ?? []).map((d) => ({ box: d.box, score: d.score, track: 0, embed: true }));
      out.push(record(frame, img, await cropFaces(img, faces, opts)));
    }
  }
  return out;
}
