// Still-image detection. The SSD often misses a face that fills much of the frame (in LFW a 110-130 px face in a
// 250 px photo is missed while a small face in the background is found), yet finds it with high confidence once
// the image is framed in a black border, where it appears at half size. So every still image is detected as it is
// and framed, in one batched inference, and the two sets are merged by non-maximum suppression. A second detector
// (the tiny one) can complement it: its faces that overlap none of the SSD's are added. It finds faces the SSD
// misses at any scale (in LFW a head in a keffiyeh, blurred or capped faces: 7 of 7701 images).
import { detectFacesBatch, type Detection, type DetectOptions } from '../../models/infer/detect.js';
import { greedyNms, iou } from '../../models/infer/nms.js';
import type { InferenceSession } from 'onnxruntime-node';
import type { RgbImage } from './warp.js';
import type { Box } from '../streams/records.js';

/** always: both passes for every image; retry: the framed pass only when the plain one finds nothing; off: plain only. */
export type Framing = 'always' | 'retry' | 'off';

/** The same face seen at two scales yields boxes that differ more than NMS within one pass expects. */
export const MERGE_IOU = 0.3;

/** The image in the middle of a black frame `border` pixels wide. */
export function padImage(image: RgbImage, border: number): RgbImage {
  const width = image.width + 2 * border, height = image.height + 2 * border;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < image.height; y++) data.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), ((y + border) * width + border) * 3);
  return { width, height, data };
}

/** One list, best score first, where a face found in several lists is kept once with its best-scoring box. */
export function mergeDetections(lists: readonly Detection[][], iouThreshold = MERGE_IOU): Detection[] {
  const all = lists.flat();
  return greedyNms(all.map((d) => d.box), all.map((d) => d.score), iouThreshold).map((i) => all[i]!);
}

/** A second detector whose faces are added where the first found none; it runs with the first one's score threshold and framing. */
export interface Complement {
  detector: InferenceSession;
  opts: DetectOptions;
}

/** `extra` faces that overlap none of `found` (IoU below `iouThreshold`) added to it, best score first. */
export function complementDetections(found: readonly Detection[], extra: readonly Detection[], iouThreshold = MERGE_IOU): Detection[] {
  const added = extra.filter((e) => found.every((f) => iou(f.box, e.box) < iouThreshold));
  return [...found, ...added].sort((a, b) => b.score - a.score);
}

/** Faces at or above `scoreThreshold`, best first, boxes in pixels of `image`. */
export async function detectStill(detector: InferenceSession, image: RgbImage, opts: DetectOptions, framing: Framing = 'always', complement?: Complement): Promise<Detection[]> {
  const found = await detectWithFraming(detector, image, opts, framing);
  if (!complement) return found;
  const extra = await detectWithFraming(complement.detector, image, { ...complement.opts, scoreThreshold: opts.scoreThreshold }, framing);
  return complementDetections(found, extra);
}

async function detectWithFraming(detector: InferenceSession, image: RgbImage, opts: DetectOptions, framing: Framing): Promise<Detection[]> {
  const border = Math.round(Math.max(image.width, image.height) / 2);
  const unframe = (ds: Detection[]) => ds.map((d) => ({ score: d.score, box: [d.box[0] - border, d.box[1] - border, d.box[2], d.box[3]] as Box }));
  if (framing === 'always') {
    const [plain, framed] = await detectFacesBatch(detector, [image, padImage(image, border)], opts);
    return mergeDetections([plain!, unframe(framed!)]);
  }
  const plain = (await detectFacesBatch(detector, [image], opts))[0]!;
  if (plain.length > 0 || framing === 'off') return plain;
  return unframe((await detectFacesBatch(detector, [padImage(image, border)], opts))[0]!);
}
