// Least-squares similarity transform (rotation, uniform scale, translation; Umeyama 1991, no reflection) between
// two point sets. Alignment fits the chip template to detected landmarks with it, as dlib's chip extraction does.

export type Point = [number, number];

/** x' = a*x - b*y + tx, y' = b*x + a*y + ty, where a = s*cos(theta), b = s*sin(theta). */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** The similarity that maps `from` onto `to` with the least squared error. */
export function fitSimilarity(from: readonly Point[], to: readonly Point[]): Similarity {
  if (from.length !== to.length || from.length < 2) throw new RangeError(`need two or more point pairs, got ${from.length} and ${to.length}`);
  const n = from.length;
  let fx = 0, fy = 0, tx = 0, ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]![0]; fy += from[i]![1];
    tx += to[i]![0]; ty += to[i]![1];
  }
  fx /= n; fy /= n; tx /= n; ty /= n;
  // In 2-D the Umeyama SVD reduces to two sums: the dot and cross products of the centred sets.
  let dot = 0, cross = 0, variance = 0;
  for (let i = 0; i < n; i++) {
    const x = from[i]![0] - fx, y = from[i]![1] - fy;
    const u = to[i]![0] - tx, v = to[i]![1] - ty;
    dot += x * u + y * v;
    cross += x * v - y * u;
    variance += x * x + y * y;
  }
  if (variance === 0) throw new RangeError('the source points all coincide');
  const a = dot / variance;
  const b = cross / variance;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}

export function applySimilarity(t: Similarity, p: Point): Point {
  return [t.a * p[0] - t.b * p[1] + t.tx, t.b * p[0] + t.a * p[1] + t.ty];
}

export function invertSimilarity(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d, b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/** How many source units one target unit spans. */
export function scaleOf(t: Similarity): number {
  return Math.hypot(t.a, t.b);
}
