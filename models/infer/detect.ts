// Face detection with the converted detectors: face-api-identical preprocessing (net-input.ts), one batched
// onnxruntime call for several images, face-api's decoding and NMS (decode.ts), then a minimum face size.
import * as ort from 'onnxruntime-node';
import { TierflowError } from '../../pipelines/errors.js';
import { loadModel } from '../registry.js';
import { decodeSsd, decodeTinyGrid, type Detection } from './decode.js';
import sharp from '../../operators/media/sharp.js';
import { reshapedDimensions, toNetInput, type RgbImage } from './net-input.js';
import { withInput } from './input-pool.js';

export type { Detection } from './decode.js';
export type { RgbImage } from './net-input.js';

export type DetectorModel = 'tiny' | 'ssd';

export interface DetectOptions {
  model: DetectorModel;
  /** Tiny detector input side (multiple of 32); the SSD always runs at 512. */
  inputSize: number;
  scoreThreshold: number;
  /** Defaults to face-api's: 0.4 for tiny, 0.5 for SSD. */
  iouThreshold?: number;
  /** Faces whose shorter side is below this many pixels are dropped (0 keeps all). */
  minFaceSize: number;
  /** SSD only: at most this many candidates survive NMS (face-api's maxResults, default 100). */
  maxResults?: number;
  /**
   * 'exact' reproduces face-api's resize in TypeScript (what the parity tests check); 'fast' lets libvips
   * resize (bilinear) and pad, several times cheaper per frame, with boxes that differ by a fraction of a pixel.
   */
  resize?: 'exact' | 'fast';
}

export const SSD_INPUT_SIZE = 512;
export const DEFAULT_IOU: Record<DetectorModel, number> = { tiny: 0.4, ssd: 0.5 };

export function detectorInputSize(opts: Pick<DetectOptions, 'model' | 'inputSize'>): number {
  if (opts.model === 'ssd') return SSD_INPUT_SIZE;
  if (opts.inputSize % 32 !== 0 || opts.inputSize <= 0) throw new TierflowError('BAD_ARGUMENT', `tiny detector inputSize must be a positive multiple of 32, got ${opts.inputSize}`);
  return opts.inputSize;
}

/** The session a detector model needs (cached per process by the registry). */
export function loadDetector(model: DetectorModel, threads?: number): Promise<ort.InferenceSession> {
  return loadModel(model === 'tiny' ? 'tiny_face_detector' : 'ssd_mobilenetv1', { threads });
}

/** Detections per image, best score first, boxes in original pixels. One inference call for the whole batch. */
export async function detectFacesBatch(session: ort.InferenceSession, images: RgbImage[], opts: DetectOptions): Promise<Detection[][]> {
  if (images.length === 0) return [];
  const size = detectorInputSize(opts);
  const per = size * size * 3;
  const out = await withInput(images.length * per, async (input) => {
    if (opts.resize === 'fast') for (const [i, img] of images.entries()) await fastNetInput(img, size, input, i * per);
    else images.forEach((img, i) => toNetInput(img, size, false, input, i * per));
    return session.run({ input: new ort.Tensor('float32', input, [images.length, size, size, 3]) });
  });
  const iou = opts.iouThreshold ?? DEFAULT_IOU[opts.model];
  const keep = (d: Detection): boolean => Math.min(d.box[2], d.box[3]) >= opts.minFaceSize;
  if (opts.model === 'tiny') {
    const grid = out.grid!.data as Float32Array;
    const cell = grid.length / images.length;
    return images.map((img, i) => decodeTinyGrid(grid.subarray(i * cell, (i + 1) * cell), img, size, opts.scoreThreshold, iou).filter(keep));
  }
  const boxes = out.boxes!.data as Float32Array;
  const scores = out.scores!.data as Float32Array;
  const n = scores.length / images.length;
  return images.map((img, i) =>
    decodeSsd(boxes.subarray(i * n * 4, (i + 1) * n * 4), scores.subarray(i * n, (i + 1) * n), img, size, opts.scoreThreshold, iou, opts.maxResults).filter(keep),
  );
}

/** The detector input as face-api lays it out (image top-left, zero padding bottom/right), resized by libvips. */
async function fastNetInput(img: RgbImage, size: number, out: Float32Array, offset: number): Promise<void> {
  const { width, height } = reshapedDimensions(img.width, img.height, size);
  const { data } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize({ width, height, kernel: 'linear', fit: 'fill' })
    .extend({ right: size - width, bottom: size - height, background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  out.set(data, offset); // converts bytes to floats natively
}

export async function detectFaces(session: ort.InferenceSession, image: RgbImage, opts: DetectOptions): Promise<Detection[]> {
  return (await detectFacesBatch(session, [image], opts))[0]!;
}
