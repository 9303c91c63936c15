// Which face-api weights each model comes from and where its ONNX file lives. Shared by the converter
// (models/build.ts) and the runtime registry, which must agree on names and paths.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MODEL_NAMES = ['tiny_face_detector', 'ssd_mobilenetv1', 'face_landmark_68', 'face_recognition'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Bump when a graph builder changes, so cached ONNX files built by an older converter are rebuilt. */
export const CONVERTER_VERSION = 1;

/** face-api weights manifest per model, in node_modules/@vladmandic/face-api/model/. */
export const WEIGHTS_MANIFEST: Record<ModelName, string> = {
  tiny_face_detector: 'tiny_face_detector_model-weights_manifest.json',
  ssd_mobilenetv1: 'ssd_mobilenetv1_model-weights_manifest.json',
  face_landmark_68: 'face_landmark_68_model-weights_manifest.json',
  face_recognition: 'face_recognition_model-weights_manifest.json',
};

export interface ManifestEntry {
  name: ModelName;
  /** File name, relative to the manifest's folder. */
  path: string;
  sha256: string;
  bytes: number;
  /** `<face-api package@version> <sha256 of the weights manifest and shards>`. */
  source: string;
  converter: number;
}

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tierflow') return dir;
    if (dirname(dir) === dir) throw new Error(`no tierflow package.json above ${start}`);
  }
}

/** models/onnx/ under the repository (also when running from dist/); TIERFLOW_MODELS_DIR overrides it. */
export function modelsDir(): string {
  return process.env.TIERFLOW_MODELS_DIR ?? join(findRepoRoot(dirname(fileURLToPath(import.meta.url))), 'models', 'onnx');
}

export function manifestPath(): string {
  return join(modelsDir(), 'manifest.json');
}

export function faceApiModelDir(): { dir: string; version: string } {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('@vladmandic/face-api/package.json');
  const version = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version;
  return { dir: join(dirname(pkgPath), 'model'), version: `@vladmandic/face-api@${version}` };
}

export function readManifest(): ManifestEntry[] | null {
  const p = manifestPath();
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as ManifestEntry[];
  } catch {
    return null;
  }
}

/** One input of the shape each net is run with (NHWC); used to check a derived graph against its source. */
export const PROBE_INPUT: Record<ModelName, number[]> = {
  tiny_face_detector: [1, 416, 416, 3],
  ssd_mobilenetv1: [1, 512, 512, 3],
  face_landmark_68: [1, 112, 112, 3],
  face_recognition: [1, 150, 150, 3],
};
