// The two non-maximum suppressions face-api uses, kept separate because they differ in detail (strict vs
// non-strict comparisons, score threshold inside SSD's) and matching face-api's detections needs both.

/** [left, top, width, height] in any consistent unit. */
export type Rect = [number, number, number, number];

/** Intersection over union of two boxes. */
export function iou(a: Rect, b: Rect): number {
  const w = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}

/** face-api ops/nonMaxSuppression (tiny detector): greedy by score; drops boxes with IoU > threshold. */
export function greedyNms(boxes: Rect[], scores: number[], iouThreshold: number): number[] {
  let order = scores
    .map((score, i) => ({ score, i }))
    .sort((a, b) => a.score - b.score)
    .map((c) => c.i);
  const pick: number[] = [];
  while (order.length > 0) {
    const cur = order.pop()!;
    pick.push(cur);
    order = order.filter((i) => iou(boxes[cur]!, boxes[i]!) <= iouThreshold);
  }
  return pick;
}

/** [ymin, xmin, ymax, xmax] as the SSD head emits it. */
export type Corners = [number, number, number, number];

function iouCorners(a: Corners, b: Corners): number {
  const [ay0, ax0, ay1, ax1] = [Math.min(a[0], a[2]), Math.min(a[1], a[3]), Math.max(a[0], a[2]), Math.max(a[1], a[3])];
  const [by0, bx0, by1, bx1] = [Math.min(b[0], b[2]), Math.min(b[1], b[3]), Math.max(b[0], b[2]), Math.max(b[1], b[3])];
  const areaA = (ay1 - ay0) * (ax1 - ax0);
  const areaB = (by1 - by0) * (bx1 - bx0);
  if (areaA <= 0 || areaB <= 0) return 0;
  const inter = Math.max(Math.min(ay1, by1) - Math.max(ay0, by0), 0) * Math.max(Math.min(ax1, bx1) - Math.max(ax0, bx0), 0);
  return inter / (areaA + areaB - inter);
}

/** face-api ssdMobilenetv1/nonMaxSuppression: candidates above scoreThreshold, best first, at most maxResults. */
export function ssdNms(boxes: (i: number) => Corners, scores: ArrayLike<number>, maxResults: number, iouThreshold: number, scoreThreshold: number): number[] {
  const candidates: Array<{ score: number; i: number }> = [];
  for (let i = 0; i < scores.length; i++) if (scores[i]! > scoreThreshold) candidates.push({ score: scores[i]!, i });
  candidates.sort((a, b) => b.score - a.score);
  const selected: number[] = [];
  const limit = Math.min(maxResults, scores.length);
  for (const c of candidates) {
    if (selected.length >= limit) break;
    let suppressed = false;
    for (let j = selected.length - 1; j >= 0; j--) {
      const v = iouCorners(boxes(c.i), boxes(selected[j]!));
      if (v === 0) continue;
      if (v > iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) selected.push(c.i);
  }
  return selected;
}
