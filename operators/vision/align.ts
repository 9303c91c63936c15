// Landmarks and alignment. The 68-point net sees the face box as face-api shows it (padded to a centred square,
// resized to 112x112); its landmarks then fit dlib's chip template, and the chip is resampled from the image.
import type { InferenceSession } from 'onnxruntime-node';
import * as ort from 'onnxruntime-node';
import type { Box } from '../streams/records.js';
import { chipToImage, DLIB_CHIP, mirrorRows, SINGLE_VIEW, STILL_VIEWS, type ChipGeometry, type ChipView } from './chip.js';
import { applySimilarity, type Point, type Similarity } from './similarity.js';
import { warpInto, type RgbImage } from './warp.js';
import { withInput } from '../../models/infer/input-pool.js';

export const LANDMARK_INPUT = 112;

export interface FaceInImage {
  image: RgbImage;
  /** [x, y, w, h] in image pixels. */
  box: Box;
}

/** Landmark-net pixels to image pixels: the box padded to a centred square (face-api's padToSquare), scaled. */
export function landmarkInputToImage(box: Box): Similarity {
  const [x, y, w, h] = box;
  const side = Math.max(w, h);
  return { a: side / LANDMARK_INPUT, b: 0, tx: x - (side - w) / 2, ty: y - (side - h) / 2 };
}

// Which point a landmark becomes in the mirror image (iBUG 68-point numbering).
const MIRROR_68 = (() => {
  const pairs = [[0, 16], [1, 15], [2, 14], [3, 13], [4, 12], [5, 11], [6, 10], [7, 9], [17, 26], [18, 25], [19, 24], [20, 23], [21, 22],
    [31, 35], [32, 34], [36, 45], [37, 44], [38, 43], [39, 42], [40, 47], [41, 46], [48, 54], [49, 53], [50, 52], [55, 59], [56, 58],
    [60, 64], [61, 63], [65, 67]];
  const m = Array.from({ length: 68 }, (_, i) => i);
  for (const [a, b] of pairs) { m[a!] = b!; m[b!] = a!; }
  return m;
})();

// Faces per landmark inference. Larger batches ran no faster per face on one thread (1.39-1.45 ms at 1, 4 and 12)
// but grew onnxruntime's arena with the batch: +3 MB at 1, +11 MB at 4, +33 MB at 12 (landmark net, 112x112 input).
const LANDMARK_BATCH = 4;

/** 68 landmarks in image pixels for each face, in inferences of at most LANDMARK_BATCH faces. With `mirror`, the net sees each face flipped. */
export async function locateLandmarks(net: InferenceSession, faces: readonly FaceInImage[], mirror = false): Promise<Point[][]> {
  const out: Point[][] = [];
  for (let i = 0; i < faces.length; i += LANDMARK_BATCH) out.push(...(await locateLandmarksBatch(net, faces.slice(i, i + LANDMARK_BATCH), mirror)));
  return out;
}

async function locateLandmarksBatch(net: InferenceSession, faces: readonly FaceInImage[], mirror: boolean): Promise<Point[][]> {
  if (faces.length === 0) return [];
  const px = LANDMARK_INPUT * LANDMARK_INPUT * 3;
  const transforms = faces.map((f) => landmarkInputToImage(f.box));
  const out = await withInput(faces.length * px, (input) => {
    faces.forEach((f, i) => warpInto(f.image, transforms[i]!, LANDMARK_INPUT, input, i * px));
    if (mirror) mirrorRows(input, LANDMARK_INPUT);
    return net.run({ [net.inputNames[0]!]: new ort.Tensor('float32', input, [faces.length, LANDMARK_INPUT, LANDMARK_INPUT, 3]) });
  });
  const flat = out[net.outputNames[0]!]!.data as Float32Array;
  return transforms.map((t, i) => {
    const pts: Point[] = [];
    for (let k = 0; k < 68; k++) {
      const j = mirror ? MIRROR_68[k]! : k;
      const x = flat[i * 136 + 2 * j]! * LANDMARK_INPUT, y = flat[i * 136 + 2 * j + 1]! * LANDMARK_INPUT;
      pts.push(applySimilarity(t, [mirror ? LANDMARK_INPUT - x : x, y]));
    }
    return pts;
  });
}

/** The square around the landmarks, like a detector box centred on the face: input for a second landmark pass. */
export function boxFromLandmarks(points: readonly Point[]): Box {
  const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  return [x0, y0, x1 - x0, y1 - y0];
}

/**
 * The still-image default, the best measured on LFW (see bench/eval-lfw.ts): landmarks refined on their own box and
 * averaged over scaled boxes, four chips per face.
 */
export const DEFAULT_ALIGN = { refine: true, boxScales: [0.9, 1.1], views: STILL_VIEWS };

/** Video frames: one landmark pass and one chip per face. */
export const FAST_ALIGN = { refine: false, boxScales: [], views: SINGLE_VIEW };

export interface AlignOptions {
  /** Size and padding of the chips (its `points` is overridden by each view's). */
  geometry?: ChipGeometry;
  /** The chips cut per face; the descriptor is their mean. */
  views?: ChipView[];
  /** Run the landmark net again on the box its first landmarks span (steadier on loose detector boxes). */
  refine?: boolean;
  /** Also locate landmarks on the box scaled by these factors and average all passes (less landmark noise). */
  boxScales?: number[];
  /** Also locate landmarks on the mirrored face and average them in (measured: no gain on LFW). */
  mirrorLandmarks?: boolean;
}

function scaleBox([x, y, w, h]: Box, k: number): Box {
  return [x + (w * (1 - k)) / 2, y + (h * (1 - k)) / 2, w * k, h * k];
}

/** Landmarks averaged over the box and its scaled variants, in one batched inference. */
async function averagedLandmarks(net: InferenceSession, faces: readonly FaceInImage[], scales: readonly number[], mirror: boolean): Promise<Point[][]> {
  const inputs = faces.flatMap((f) => [1, ...scales].map((k) => ({ image: f.image, box: scaleBox(f.box, k) })));
  const straight = await locateLandmarks(net, inputs);
  const flipped = mirror ? await locateLandmarks(net, inputs, true) : [];
  const perFace = 1 + scales.length;
  const passes = perFace * (mirror ? 2 : 1);
  const all = faces.flatMap((_, i) => [...straight.slice(i * perFace, (i + 1) * perFace), ...flipped.slice(i * perFace, (i + 1) * perFace)]);
  return faces.map((_, i) => {
    const mine = all.slice(i * passes, (i + 1) * passes);
    return mine[0]!.map((_, k) => [mine.reduce((s, p) => s + p[k]![0], 0) / passes, mine.reduce((s, p) => s + p[k]![1], 0) / passes] as Point);
  });
}

export interface AlignedFace {
  landmarks: Point[];
  /** One per view: size x size x 3 float RGB, 0..255, the recognition net's input. */
  chips: Float32Array[];
}

export async function alignFaces(landmarkNet: InferenceSession, faces: readonly FaceInImage[], opts: AlignOptions = {}): Promise<AlignedFace[]> {
  const geometry = opts.geometry ?? DLIB_CHIP;
  const scales = opts.boxScales ?? DEFAULT_ALIGN.boxScales;
  const mirror = opts.mirrorLandmarks ?? false;
  let landmarks = await averagedLandmarks(landmarkNet, faces, scales, mirror);
  if (opts.refine ?? DEFAULT_ALIGN.refine) landmarks = await averagedLandmarks(landmarkNet, faces.map((f, i) => ({ image: f.image, box: boxFromLandmarks(landmarks[i]!) })), scales, mirror);
  const views = opts.views ?? DEFAULT_ALIGN.views;
  return faces.map((f, i) => ({
    landmarks: landmarks[i]!,
    chips: views.map((view) => {
      const chip = new Float32Array(geometry.size * geometry.size * 3);
      warpInto(f.image, chipToImage(landmarks[i]!, { ...geometry, points: view.points }), geometry.size, chip);
      if (view.mirror) mirrorRows(chip, geometry.size);
      return chip;
    }),
  }));
}
