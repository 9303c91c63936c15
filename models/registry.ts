// Runtime access to the converted face models: list, locate, verify and open them as onnxruntime sessions.
//
// Division of work (models helper / faces helper):
//   - models/infer/detect.ts (detectFaces, detectFacesBatch, tiny + SSD decoding, NMS) and
//     models/infer/net-input.ts (toNetInput: face-api's pad-to-square + tf.image.resizeBilinear, in TS) are the
//     models helper's. landmarks68() and embedFaces() wrappers are LEFT TO THE FACES HELPER (they should
//     reuse toNetInput from models/infer/net-input.ts to reproduce face-api's preprocessing).
//
// Model I/O contract (all inputs float32 NHWC RGB pixel values 0..255, exactly the tensor face-api's nets get
// after their own resize/pad step; each graph does face-api's normalisation itself):
//   tiny_face_detector  input [N,S,S,3], S = inputSize (multiple of 32; face-api pads bottom/right, not centred)
//                       -> grid [N,S/32,S/32,25] raw (5 anchors x [tx,ty,tw,th,score logit]), NHWC like face-api
//   ssd_mobilenetv1     input [N,512,512,3] (padded bottom/right, not centred)
//                       -> boxes [N,5118,4] decoded [ymin,xmin,ymax,xmax] relative 0..1 to the padded square,
//                          scores [N,5118] after sigmoid: face-api's forwardInput outputs, before NMS
//   face_landmark_68    input [N,112,112,3] (square-padded, centred) -> landmarks [N,136] x0,y0,... relative
//                       0..1 to the 112x112 input
//   face_recognition    input [N,150,150,3] (square-padded, centred) -> descriptor [N,128] raw (face-api does
//                       not L2-normalise it; normalise before comparing if you need unit vectors)
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { TierflowError } from '../pipelines/errors.js';
import { ensureOptimized } from './optimized.js';
import { disableOrtTelemetry } from './ort-telemetry.js';
import { MODEL_NAMES, manifestPath, modelsDir, readManifest, type ManifestEntry, type ModelName } from './catalog.js';

export type { ModelName } from './catalog.js';
export { MODEL_NAMES } from './catalog.js';

const REBUILD = 'rebuild with `npm run models`';

export interface ModelInfo {
  name: ModelName;
  path: string;
  sha256: string;
}

export async function listModels(): Promise<ModelInfo[]> {
  const manifest = readManifest() ?? [];
  return MODEL_NAMES.flatMap((name) => {
    const e = manifest.find((m) => m.name === name);
    return e ? [{ name, path: join(modelsDir(), e.path), sha256: e.sha256 }] : [];
  });
}

export function modelPath(name: ModelName): string {
  return join(modelsDir(), `${name}.onnx`);
}

function manifestEntry(name: ModelName): ManifestEntry {
  const manifest = readManifest();
  if (!manifest) throw new TierflowError('MODEL_MISSING', `model manifest ${manifestPath()} is missing or unreadable: ${REBUILD}`);
  const e = manifest.find((m) => m.name === name);
  if (!e) throw new TierflowError('MODEL_MISSING', `model ${name} is not in ${manifestPath()}: ${REBUILD}`);
  return e;
}

/** Checks the file against the manifest, hashing it in pieces (no copy of the model lingers in the JS heap). */
export function verifiedModelPath(name: ModelName): { path: string; sha256: string } {
  const entry = manifestEntry(name);
  const path = join(modelsDir(), entry.path);
  if (!existsSync(path)) throw new TierflowError('MODEL_MISSING', `model file ${path} is missing: ${REBUILD}`);
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  const sha = hash.digest('hex');
  if (sha !== entry.sha256) {
    throw new TierflowError('MODEL_CHECKSUM', `model file ${path} has sha256 ${sha.slice(0, 12)}…, manifest says ${entry.sha256.slice(0, 12)}…: ${REBUILD}`);
  }
  return { path, sha256: sha };
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

// No memory-pattern planning: it pre-allocates per input shape, and a worker's RSS matters more on edge boxes.
// The CPU arena stays on: without it glibc malloc fragments across the operator threads and the pipeline's
// RSS measured 600-720 MB instead of ~390 MB (bench pipeline, embedded mode).
const sessionOptions = (threads: number) => ({ intraOpNumThreads: threads, interOpNumThreads: 1, enableMemPattern: false });

/**
 * One session per model and thread count per process; intraOpNumThreads defaults to 1 (edge boxes share cores).
 * Opens the graph pre-optimised for this machine (models/optimized.ts) when it can, else optimises at load.
 */
export function loadModel(name: ModelName, opts: { threads?: number } = {}): Promise<ort.InferenceSession> {
  const threads = opts.threads ?? 1;
  const key = `${name}/${threads}`;
  let s = sessions.get(key);
  if (!s) {
    disableOrtTelemetry();
    s = (async () => {
      const source = verifiedModelPath(name);
      const optimized = await ensureOptimized(name, source.path, source.sha256);
      if (optimized) {
        try {
          return await ort.InferenceSession.create(optimized, { ...sessionOptions(threads), graphOptimizationLevel: 'disabled' });
        } catch {
          rmSync(optimized, { force: true }); // unreadable: made again by the next process that needs it
        }
      }
      return ort.InferenceSession.create(source.path, { ...sessionOptions(threads), graphOptimizationLevel: 'all' });
    })();
    sessions.set(key, s);
    s.catch(() => sessions.delete(key));
  }
  return s;
}
