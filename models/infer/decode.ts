// Pure decoders from the detectors' raw outputs to face boxes in original image pixels, as face-api's
// TinyFaceDetector.locateFaces and SsdMobilenetv1.locateFaces compute them (same formulas, same NMS).
import { greedyNms, ssdNms, type Corners, type Rect } from './nms.js';
import { reshapedDimensions } from './net-input.js';

export interface Detection {
  /** [x, y, width, height] in pixels of the original image. */
  box: [number, number, number, number];
  score: number;
}

/** face-api's tiny face detector anchors (width, height in grid cells). */
export const TINY_ANCHORS: ReadonlyArray<[number, number]> = [
  [1.603231, 2.094468],
  [6.041143, 7.080126],
  [2.882459, 3.518061],
  [4.266906, 5.178857],
  [9.041765, 10.66308],
];

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** One image's grid [cells, cells, 5 anchors * 5] (NHWC slice) -> detections, best first. */
export function decodeTinyGrid(
  grid: Float32Array,
  image: { width: number; height: number },
  inputSize: number,
  scoreThreshold: number,
  iouThreshold: number,
): Detection[] {
  const cells = Math.round(Math.sqrt(grid.length / (TINY_ANCHORS.length * 5)));
  const reshaped = reshapedDimensions(image.width, image.height, inputSize);
  const fx = inputSize / reshaped.width;
  const fy = inputSize / reshaped.height;
  const rel: Rect[] = [];
  const scores: number[] = [];
  for (let row = 0; row < cells; row++) {
    for (let col = 0; col < cells; col++) {
      for (let a = 0; a < TINY_ANCHORS.length; a++) {
        const o = ((row * cells + col) * TINY_ANCHORS.length + a) * 5;
        const score = sigmoid(grid[o + 4]!);
        if (scoreThreshold && !(score > scoreThreshold)) continue;
        const [aw, ah] = TINY_ANCHORS[a]!;
        const ctX = ((col + sigmoid(grid[o]!)) / cells) * fx;
        const ctY = ((row + sigmoid(grid[o + 1]!)) / cells) * fy;
        const w = ((Math.exp(grid[o + 2]!) * aw) / cells) * fx;
        const h = ((Math.exp(grid[o + 3]!) * ah) / cells) * fy;
        const x = ctX - w / 2;
        const y = ctY - h / 2;
        // face-api builds BoundingBox(x, y, x + w, y + h): width is recomputed as right - left.
        rel.push([x, y, x + w - x, y + h - y]);
        scores.push(score);
      }
    }
  }
  const scaled = rel.map((r): Rect => [r[0] * inputSize, r[1] * inputSize, r[2] * inputSize, r[3] * inputSize]);
  return greedyNms(scaled, scores, iouThreshold).map((i) => {
    const r = rel[i]!;
    return { box: [r[0] * image.width, r[1] * image.height, r[2] * image.width, r[3] * image.height], score: scores[i]! };
  });
}

/** One image's SSD outputs (boxes [n,4] corners relative to the 512 square, scores [n]) -> detections, best first. */
export function decodeSsd(
  boxes: Float32Array,
  scores: Float32Array,
  image: { width: number; height: number },
  inputSize: number,
  scoreThreshold: number,
  iouThreshold: number,
  maxResults = 100,
): Detection[] {
  const corner = (i: number): Corners => [boxes[i * 4]!, boxes[i * 4 + 1]!, boxes[i * 4 + 2]!, boxes[i * 4 + 3]!];
  const reshaped = reshapedDimensions(image.width, image.height, inputSize);
  const padX = inputSize / reshaped.width;
  const padY = inputSize / reshaped.height;
  return ssdNms(corner, scores, maxResults, iouThreshold, scoreThreshold).map((i) => {
    const [y0, x0, y1, x1] = corner(i);
    const top = Math.max(0, y0) * padY;
    const bottom = Math.min(1, y1) * padY;
    const left = Math.max(0, x0) * padX;
    const right = Math.min(1, x1) * padX;
    return { box: [left * image.width, top * image.height, (right - left) * image.width, (bottom - top) * image.height], score: scores[i]! };
  });
}
