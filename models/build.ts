// Converts face-api's TF.js weights to ONNX files in models/onnx/ and writes manifest.json with their checksums.
// Run at install (`node dist/models/build.js`, `npm run models`); skips models whose source weights, converter
// version and output file are unchanged, so a second run costs a few hashes.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CONVERTER_VERSION,
  MODEL_NAMES,
  WEIGHTS_MANIFEST,
  faceApiModelDir,
  manifestPath,
  modelsDir,
  readManifest,
  type ManifestEntry,
  type ModelName,
} from './catalog.js';
import { ensureOptimized } from './optimized.js';
import type { OnnxGraph } from './onnx-graph.js';
import { buildFaceLandmark68 } from './nets/face_landmark_68.js';
import { buildFaceRecognition } from './nets/face_recognition.js';
import { buildSsdMobilenetv1 } from './nets/ssd_mobilenetv1.js';
import { buildTinyFaceDetector } from './nets/tiny_face_detector.js';
import { readTfWeights, type TfWeights } from './tfjs-weights.js';

const BUILDERS: Record<ModelName, (w: TfWeights) => OnnxGraph> = {
  tiny_face_detector: buildTinyFaceDetector,
  ssd_mobilenetv1: buildSsdMobilenetv1,
  face_landmark_68: buildFaceLandmark68,
  face_recognition: buildFaceRecognition,
};

export interface BuildReport {
  name: ModelName;
  status: 'built' | 'cached';
  entry: ManifestEntry;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function buildModels(opts: { force?: boolean; log?: (line: string) => void } = {}): BuildReport[] {
  const dir = modelsDir();
  mkdirSync(dir, { recursive: true });
  const faceApi = faceApiModelDir();
  const previous = new Map((readManifest() ?? []).map((e) => [e.name, e]));
  const reports: BuildReport[] = [];
  for (const name of MODEL_NAMES) {
    const weights = readTfWeights(join(faceApi.dir, WEIGHTS_MANIFEST[name]));
    const source = `${faceApi.version} ${weights.sha256}`;
    const file = `${name}.onnx`;
    const old = previous.get(name);
    if (!opts.force && old && old.source === source && old.converter === CONVERTER_VERSION && existsSync(join(dir, file)) && sha256File(join(dir, file)) === old.sha256) {
      reports.push({ name, status: 'cached', entry: old });
      continue;
    }
    const bytes = BUILDERS[name](weights).toBytes(`${name} converted by tierflow from ${source}`);
    const tmp = join(dir, `${file}.${process.pid}.tmp`);
    writeFileSync(tmp, bytes);
    renameSync(tmp, join(dir, file)); // atomic: a concurrent reader never sees half a model
    const entry: ManifestEntry = { name, path: file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, source, converter: CONVERTER_VERSION };
    reports.push({ name, status: 'built', entry });
    opts.log?.(`built ${name}: ${bytes.length} bytes`);
  }
  const tmp = `${manifestPath()}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(reports.map((r) => r.entry), null, 2) + '\n');
  renameSync(tmp, manifestPath());
  return reports;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const force = process.argv.includes('--force');
  const reports = buildModels({ force });
  for (const r of reports) console.log(`${r.status.padEnd(6)} ${r.name.padEnd(20)} ${r.entry.sha256.slice(0, 16)} ${r.entry.bytes} bytes`);
  // Optimise each graph for this CPU now, so the first worker does not wait for it (models/optimized.ts).
  for (const r of reports) {
    const optimized = await ensureOptimized(r.name, join(modelsDir(), r.entry.path), r.entry.sha256);
    if (optimized) console.log(`ready  ${r.name.padEnd(20)} optimised for this CPU: ${optimized}`);
  }
}
