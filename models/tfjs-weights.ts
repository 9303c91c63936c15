// Reads the TF.js weights that @vladmandic/face-api ships (manifest + .bin shards) into float32 arrays,
// dequantising exactly as tfjs-core's decodeWeights does, so converted graphs start from identical numbers.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TierflowError } from '../pipelines/errors.js';

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: 'uint8' | 'uint16'; scale: number; min: number };
}

interface ManifestGroup {
  paths: string[];
  weights: ManifestWeight[];
}

/** One weight tensor in TF layout (filters [kh, kw, in, out]). */
export interface TfWeight {
  shape: number[];
  data: Float32Array;
}

export interface TfWeights {
  get(name: string): TfWeight;
  names(): string[];
  /** sha256 over the manifest and every shard, in manifest order: identifies the source of a conversion. */
  sha256: string;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2 };

export function readTfWeights(manifestPath: string): TfWeights {
  const manifestBytes = readFileSync(manifestPath);
  const groups = JSON.parse(manifestBytes.toString('utf8')) as ManifestGroup[];
  const hash = createHash('sha256').update(manifestBytes);
  const byName = new Map<string, TfWeight>();
  for (const group of groups) {
    const shards = group.paths.map((p) => readFileSync(join(dirname(manifestPath), p)));
    for (const shard of shards) hash.update(shard);
    const buffer = Buffer.concat(shards);
    let offset = 0;
    for (const w of group.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      const size = count * (BYTES[q?.dtype ?? w.dtype] ?? 4);
      const bytes = buffer.subarray(offset, offset + size);
      offset += size;
      byName.set(w.name, { shape: w.shape, data: decode(w, bytes, count) });
    }
    if (offset !== buffer.length) {
      throw new TierflowError('MODEL_MISSING', `${manifestPath}: manifest covers ${offset} bytes but shards hold ${buffer.length}`);
    }
  }
  return {
    sha256: hash.digest('hex'),
    names: () => [...byName.keys()],
    get(name) {
      const w = byName.get(name);
      if (!w) throw new TierflowError('MODEL_MISSING', `${manifestPath}: no weight named ${name}`);
      return w;
    },
  };
}

function decode(w: ManifestWeight, bytes: Buffer, count: number): Float32Array {
  const aligned = new Uint8Array(bytes).buffer; // copy: shard offsets need not be aligned for typed arrays
  const q = w.quantization;
  if (!q) {
    return w.dtype === 'int32' ? Float32Array.from(new Int32Array(aligned, 0, count)) : new Float32Array(aligned, 0, count);
  }
  const raw = q.dtype === 'uint8' ? new Uint8Array(aligned, 0, count) : new Uint16Array(aligned, 0, count);
  const out = new Float32Array(count);
  // Same expression as tfjs-core (double arithmetic, rounded once on store); int32 weights are rounded like tfjs.
  for (let i = 0; i < count; i++) out[i] = w.dtype === 'int32' ? Math.round(raw[i]! * q.scale + q.min) : raw[i]! * q.scale + q.min;
  return out;
}
