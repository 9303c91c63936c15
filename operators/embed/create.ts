// The embed operator: each face's crop (the frame region cropBox, as a JPEG) is decoded, its landmarks found and
// mapped back to frame pixels, and its aligned chip embedded; faces of all records in a batch share inferences.
import type { Static } from '@sinclair/typebox';
import type { OperatorContext, TransformInstance } from '../../pipelines/operator.js';
import type { Box, EmbeddingsRecord, FaceCrop, FacesRecord, FaceEmbedding } from '../streams/records.js';
import { decodeRgb } from '../vision/image.js';
import { embedFaces, loadFaceModels, type FaceModels } from '../vision/embed.js';
import { FAST_ALIGN, type FaceInImage } from '../vision/align.js';
import { isTierflowError, TierflowError } from '../../pipelines/errors.js';
import type { RgbImage } from '../vision/warp.js';
import type { EmbedConfig } from './index.js';

interface Pending {
  record: number;
  face: FaceCrop;
  /** Crop pixels per frame pixel (a detector may shrink large crops). */
  scale: [number, number];
  input: FaceInImage;
}

/** A raw crop from a fused detect: packed RGB of exactly the crop box. */
function rawCrop(face: FaceCrop, width: number, height: number, what: string): RgbImage {
  if (face.crop.length !== width * height * 3) {
    throw new TierflowError('IMAGE_UNREADABLE', `${what}: not a readable image (raw RGB of ${face.crop.length} bytes, expected ${width}x${height}x3)`);
  }
  return { data: face.crop, width, height };
}

/** Embeds every face of every record; `report` hears about crops that cannot be decoded (those faces are skipped). */
export async function embedRecords(
  models: FaceModels,
  records: readonly FacesRecord[],
  maxBatch: number,
  report: (message: string) => void,
  precise = false,
): Promise<EmbeddingsRecord[]> {
  const pending: Pending[] = [];
  const out: EmbeddingsRecord[] = records.map((rec) => ({ camera: rec.camera, epoch: rec.epoch, seq: rec.seq, captureTs: rec.captureTs, faces: [] as FaceEmbedding[] }));
  for (const [r, record] of records.entries()) {
    for (const face of record.faces) {
      if (face.carried) {
        // Its track's identity is carried: nothing to embed.
        out[r]!.faces.push({ index: face.index, box: face.box, score: face.score, landmarks: [], embedding: [], track: face.track, carried: true });
        continue;
      }
      try {
        const [cx, cy, cw, ch] = face.cropBox;
        const what = `${record.camera}#${record.seq} face ${face.index} crop`;
        const image = face.cropFormat === 'rgb' ? rawCrop(face, cw, ch, what) : await decodeRgb(face.crop, what);
        const sx = image.width / cw, sy = image.height / ch;
        const box: Box = [(face.box[0] - cx) * sx, (face.box[1] - cy) * sy, face.box[2] * sx, face.box[3] * sy];
        pending.push({ record: r, face, scale: [sx, sy], input: { image, box } });
      } catch (e) {
        if (!isTierflowError(e)) throw e;
        report(`${e.message}; face skipped`);
      }
    }
  }
  // Video sees a face in many frames, so one landmark pass and one chip per frame are enough; `precise` gives a
  // frame the still-image treatment (six landmark passes, four chips).
  const align = precise ? {} : FAST_ALIGN;
  const embedded = await embedFaces(models, pending.map((p) => p.input), { maxBatch, ...align });
  pending.forEach((p, i) => {
    const [sx, sy] = p.scale;
    const [cx, cy] = p.face.cropBox;
    out[p.record]!.faces.push({
      index: p.face.index,
      box: p.face.box,
      score: p.face.score,
      landmarks: embedded[i]!.landmarks.flatMap(([x, y]) => [x / sx + cx, y / sy + cy]),
      embedding: embedded[i]!.embedding,
      track: p.face.track,
      carried: false,
    });
  });
  for (const rec of out) rec.faces.sort((a, b) => a.index - b.index);
  return out;
}

export async function createEmbed(config: Static<typeof EmbedConfig>, ctx: OperatorContext): Promise<TransformInstance<FacesRecord, EmbeddingsRecord>> {
  const models = await loadFaceModels();
  return {
    kind: 'transform',
    async process(batch, emit) {
      for (const record of await embedRecords(models, batch, config.maxBatch, ctx.log, config.precise)) emit(record);
    },
  };
}
