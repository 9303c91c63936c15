// Face descriptors: aligned 150x150 chips through the recognition net, L2-normalised so that Euclidean distance
// between any two lies in [0, 2] and thresholds carry over between galleries.
import type { InferenceSession } from 'onnxruntime-node';
import * as ort from 'onnxruntime-node';
import { loadModel } from '../../models/registry.js';
import { withInput } from '../../models/infer/input-pool.js';
import { alignFaces, DEFAULT_ALIGN, type AlignOptions, type FaceInImage } from './align.js';
import { DLIB_CHIP } from './chip.js';
import type { Point } from './similarity.js';

export interface FaceModels {
  landmarks: InferenceSession;
  recognition: InferenceSession;
}

export async function loadFaceModels(threads = 1): Promise<FaceModels> {
  const [landmarks, recognition] = await Promise.all([loadModel('face_landmark_68', { threads }), loadModel('face_recognition', { threads })]);
  return { landmarks, recognition };
}

export function l2normalise(v: ArrayLike<number>): number[] {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const n = Math.sqrt(sum) || 1;
  return Array.from(v, (x) => x / n);
}

/** Chips are size x size x 3 float RGB; returns one unit-length 128-d embedding per chip. */
export async function describeChips(net: InferenceSession, chips: readonly Float32Array[], size = DLIB_CHIP.size): Promise<number[][]> {
  if (chips.length === 0) return [];
  const px = size * size * 3;
  const out = await withInput(chips.length * px, (input) => {
    chips.forEach((c, i) => input.set(c, i * px));
    return net.run({ [net.inputNames[0]!]: new ort.Tensor('float32', input, [chips.length, size, size, 3]) });
  });
  const flat = out[net.outputNames[0]!]!.data as Float32Array;
  const dim = flat.length / chips.length;
  return chips.map((_, i) => l2normalise(flat.subarray(i * dim, (i + 1) * dim)));
}

export interface EmbeddedFace {
  landmarks: Point[];
  embedding: number[];
}

/** The unit-length mean of unit-length descriptors. */
export function meanDescriptor(descriptors: readonly number[][]): number[] {
  return l2normalise(descriptors[0]!.map((_, k) => descriptors.reduce((s, d) => s + d[k]!, 0)));
}

/**
 * Landmarks, alignment and embedding for faces given by their boxes; each recognition inference takes at most
 * `maxBatch` chips. A face cut into several views is described by the mean of their descriptors.
 */
export async function embedFaces(models: FaceModels, faces: readonly FaceInImage[], opts: AlignOptions & { maxBatch?: number } = {}): Promise<EmbeddedFace[]> {
  const views = (opts.views ?? DEFAULT_ALIGN.views).length;
  const perBatch = Math.max(1, Math.floor((opts.maxBatch ?? 16) / views));
  const out: EmbeddedFace[] = [];
  for (let i = 0; i < faces.length; i += perBatch) {
    const aligned = await alignFaces(models.landmarks, faces.slice(i, i + perBatch), opts);
    const descriptors = await describeChips(models.recognition, aligned.flatMap((a) => a.chips), (opts.geometry ?? DLIB_CHIP).size);
    aligned.forEach((a, k) => out.push({ landmarks: a.landmarks, embedding: views === 1 ? descriptors[k]! : meanDescriptor(descriptors.slice(k * views, (k + 1) * views)) }));
  }
  return out;
}
