// The LFW verification protocol: pairs.txt lists 10 folds of same/different image pairs. For each fold the
// distance threshold is the one most accurate on the other nine, and accuracy is measured on the held-out fold.
import { TierflowError } from '../../pipelines/errors.js';

export interface Pair {
  a: string;
  b: string;
  same: boolean;
  fold: number;
}

/** Image path rule of LFW: <name>/<name>_<NNNN>.jpg. */
export function lfwImage(name: string, index: number): string {
  return `${name}/${name}_${String(index).padStart(4, '0')}.jpg`;
}

export function parsePairs(text: string, file = 'pairs.txt'): Pair[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines.shift()?.trim().split(/\s+/).map(Number) ?? [];
  const folds = header.length === 2 ? header[0]! : 1;
  const perSide = header.length === 2 ? header[1]! : header[0]!;
  if (!Number.isInteger(folds) || !Number.isInteger(perSide) || lines.length !== folds * perSide * 2) {
    throw new TierflowError('BAD_ARGUMENT', `${file}: header says ${folds} folds x ${perSide} x 2 pairs but there are ${lines.length} lines`);
  }
  return lines.map((line, i) => {
    const f = line.trim().split(/\s+/);
    const fold = Math.floor(i / (2 * perSide));
    if (f.length === 3) return { a: lfwImage(f[0]!, Number(f[1])), b: lfwImage(f[0]!, Number(f[2])), same: true, fold };
    if (f.length === 4) return { a: lfwImage(f[0]!, Number(f[1])), b: lfwImage(f[2]!, Number(f[3])), same: false, fold };
    throw new TierflowError('BAD_ARGUMENT', `${file}:${i + 2}: expected 3 or 4 fields, got ${f.length}`);
  });
}

export interface Scored {
  distance: number;
  same: boolean;
}

function accuracyAt(items: readonly Scored[], threshold: number): number {
  let right = 0;
  for (const s of items) if (Number.isFinite(s.distance) && (s.distance <= threshold) === s.same) right++;
  return right / items.length;
}

/** The threshold with the best accuracy on `items`: midpoints between sorted distances, ties to the middle one. */
export function bestThreshold(items: readonly Scored[]): number {
  const d = items.map((s) => s.distance).filter(Number.isFinite).sort((x, y) => x - y);
  if (d.length === 0) return 0;
  const candidates = [d[0]! - 1e-6, ...d.slice(1).map((v, i) => (v + d[i]!) / 2), d[d.length - 1]! + 1e-6];
  let best = -1;
  let chosen: number[] = [];
  for (const t of candidates) {
    const acc = accuracyAt(items, t);
    if (acc > best) { best = acc; chosen = [t]; } else if (acc === best) chosen.push(t);
  }
  return chosen[Math.floor(chosen.length / 2)]!;
}

export interface FoldResult {
  fold: number;
  threshold: number;
  accuracy: number;
}

export interface Verification {
  folds: FoldResult[];
  mean: number;
  /** Sample standard deviation over folds. */
  std: number;
}

/** Pairs with no distance (an image without a face) are counted as wrong on the test fold, never dropped. */
export function crossValidate(pairs: ReadonlyArray<Scored & { fold: number }>): Verification {
  const foldIds = [...new Set(pairs.map((p) => p.fold))].sort((x, y) => x - y);
  const folds = foldIds.map((fold) => {
    const threshold = bestThreshold(pairs.filter((p) => p.fold !== fold));
    return { fold, threshold, accuracy: accuracyAt(pairs.filter((p) => p.fold === fold), threshold) };
  });
  const mean = folds.reduce((s, f) => s + f.accuracy, 0) / folds.length;
  const std = folds.length > 1 ? Math.sqrt(folds.reduce((s, f) => s + (f.accuracy - mean) ** 2, 0) / (folds.length - 1)) : 0;
  return { folds, mean, std };
}
