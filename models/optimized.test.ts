// The pre-optimised graphs: made once per machine in a child that checks them against the source, reused after,
// and never trusted when they cannot be made (the caller falls back to optimising at load).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { ensureOptimized, optimizedPath } from './optimized.js';
import { verifiedModelPath } from './registry.js';

const dir = mkdtempSync(join(tmpdir(), 'tierflow-optimized-'));
const saved = process.env.TIERFLOW_OPTIMIZED_MODELS_DIR;
process.env.TIERFLOW_OPTIMIZED_MODELS_DIR = dir;
after(() => {
  if (saved === undefined) delete process.env.TIERFLOW_OPTIMIZED_MODELS_DIR;
  else process.env.TIERFLOW_OPTIMIZED_MODELS_DIR = saved;
  rmSync(dir, { recursive: true, force: true });
});

void test('the landmark net is optimised once into the cache, opens with optimisations off and matches the source', async () => {
  const source = verifiedModelPath('face_landmark_68');
  const path = await ensureOptimized('face_landmark_68', source.path, source.sha256);
  assert.equal(path, optimizedPath(dir, 'face_landmark_68', source.sha256));
  const made = statSync(path!).mtimeMs;
  assert.equal(await ensureOptimized('face_landmark_68', source.path, source.sha256), path);
  assert.equal(statSync(path!).mtimeMs, made, 'a second call reuses the file');

  const input = new ort.Tensor('float32', Float32Array.from({ length: 112 * 112 * 3 }, (_, i) => (i * 7) % 256), [1, 112, 112, 3]);
  const run = async (file: string, level: 'disabled' | 'all') => {
    const s = await ort.InferenceSession.create(file, { graphOptimizationLevel: level, intraOpNumThreads: 1 });
    return (await s.run({ [s.inputNames[0]!]: input }))[s.outputNames[0]!]!.data as Float32Array;
  };
  const [a, b] = [await run(source.path, 'disabled'), await run(path!, 'disabled')];
  assert.equal(a.length, 136);
  assert.ok(a.every((v, i) => Math.abs(v - b[i]!) <= 1e-5), 'same landmarks as the unoptimised source');
});

void test('a source the optimiser cannot load gives no optimised path, only a warning', async () => {
  const bogus = join(dir, 'not-a-model.onnx');
  writeFileSync(bogus, 'not a model');
  const warnings: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (warnings.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    assert.equal(await ensureOptimized('tiny_face_detector', bogus, 'f'.repeat(64)), null);
  } finally {
    process.stderr.write = write;
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^tierflow: tiny_face_detector not pre-optimised for this CPU \(.+\); optimising at load/);
});
