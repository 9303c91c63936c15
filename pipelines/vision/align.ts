// Landmarks and alignment. The 68-point net sees the face box as face-api shows it (padded to a centred square,
// resized to 112x112); its landmarks then fit dlib's chip template, and the chip is resampled from the image.
import type { InferenceSession } from 'onnxruntime-node';
import * as ort from 'onnxruntime-node';
import type { Box } from '../streams/records.js';
import { chipToImage, DLIB_CHIP, type ChipGeometry } from './chip.js';
import { applySimilarity, type Point, type Similarity } from './similarity.js';
import { warpInto, type RgbImage } from './warp.js';

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

/** 68 landmarks in image pixels for each face; one batched inference. */
export async function locateLandmarks(net: InferenceSession, faces: readonly FaceInImage[]): Promise<Point[][]> {
  if (faces.length === 0) return [];
  const px = LANDMARK_INPUT * LANDMARK_INPUT * 3;
  const input = new Float32Array(faces.length * px);
  const transforms = faces.map((f, i) => {
    const t = landmarkInputToImage(f.box);
    warpInto(f.image, t, LANDMARK_INPUT, input, i * px);
    return t;
  });
  const out = await net.run({ [net.inputNames[0]!]: new ort.Tensor('float32', input, [faces.length, LANDMARK_INPUT, LANDMARK_INPUT, 3]) });
  const flat = out[net.outputNames[0]!]!.data as Float32Array;
  return transforms.map((t, i) => {
    const pts: Point[] = [];
    for (let k = 0; k < 68; k++) pts.push(applySimilarity(t, [flat[i * 136 + 2 * k]! * LANDMARK_INPUT, flat[i * 136 + 2 * k + 1]! * LANDMARK_INPUT]));
    return pts;
  });
}

/** The square around the landmarks, like a detector box centred on the face: input for a second landmark pass. */
export function boxFromLandmarks(points: readonly Point[]): Box {
  const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  return [x0, y0, x1 - x0, y1 - y0];
}

export interface AlignOptions {
  geometry?: ChipGeometry;
  /** Run the landmark net again on the box its first landmarks span (steadier on loose detector boxes). */
  refine?: boolean;
  /** Also locate landmarks on the box scaled by these factors and average all passes (less landmark noise). */
  boxScales?: number[];
}

function scaleBox([x, y, w, h]: Box, k: number): Box {
  return [x + (w * (1 - k)) / 2, y + (h * (1 - k)) / 2, w * k, h * k];
}

/** Landmarks averaged over the box and its scaled variants, in one batched inference. */
async function averagedLandmarks(net: InferenceSession, faces: readonly FaceInImage[], scales: readonly number[]): Promise<Point[][]> {
  const all = await locateLandmarks(net, faces.flatMap((f) => [1, ...scales].map((k) => ({ image: f.image, box: scaleBox(f.box, k) }))));
  const passes = 1 + scales.length;
  return faces.map((_, i) => {
    const mine = all.slice(i * passes, (i + 1) * passes);
    return mine[0]!.map((_, k) => [mine.reduce((s, p) => s + p[k]![0], 0) / passes, mine.reduce((s, p) => s + p[k]![1], 0) / passes] as Point);
  });
}

export interface AlignedFace {
  landmarks: Point[];
  /** size x size x 3 float RGB, 0..255: the recognition net's input. */
  chip: Float32Array;
}

export async function alignFaces(landmarkNet: InferenceSession, faces: readonly FaceInImage[], opts: AlignOptions = {}): Promise<AlignedFace[]> {
  const geometry = opts.geometry ?? DLIB_CHIP;
  const scales = opts.boxScales ?? [];
  let landmarks = await averagedLandmarks(landmarkNet, faces, scales);
  if (opts.refine) landmarks = await averagedLandmarks(landmarkNet, faces.map((f, i) => ({ image: f.image, box: boxFromLandmarks(landmarks[i]!) })), scales);
  return faces.map((f, i) => {
    const chip = new Float32Array(geometry.size * geometry.size * 3);
    warpInto(f.image, chipToImage(landmarks[i]!, geometry), geometry.size, chip);
    return { landmarks: landmarks[i]!, chip };
  });
}
