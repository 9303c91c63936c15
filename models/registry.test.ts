// The registry refuses models it cannot vouch for, with one line naming the file and how to rebuild; the
// converter is idempotent (a second run builds nothing).
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TierflowError } from '../pipelines/errors.js';
import { buildModels } from './build.js';
import { manifestPath, modelsDir } from './catalog.js';
import { listModels, loadModel, modelPath, verifiedModelPath } from './registry.js';

let realDir = '';
let tmp = '';
const saved = process.env.TIERFLOW_MODELS_DIR;

before(() => {
  buildModels();
  realDir = modelsDir();
  tmp = mkdtempSync(join(tmpdir(), 'tierflow-models-'));
});

after(() => {
  if (saved === undefined) delete process.env.TIERFLOW_MODELS_DIR;
  else process.env.TIERFLOW_MODELS_DIR = saved;
  rmSync(tmp, { recursive: true, force: true });
});

void test('a second build finds every model cached and lists all four with their checksums', async () => {
  const reports = buildModels();
  assert.deepEqual(reports.map((r) => r.status), ['cached', 'cached', 'cached', 'cached']);
  const models = await listModels();
  assert.deepEqual(models.map((m) => m.name), ['tiny_face_detector', 'ssd_mobilenetv1', 'face_landmark_68', 'face_recognition']);
  for (const m of models) {
    assert.equal(m.path, modelPath(m.name));
    assert.match(m.sha256, /^[0-9a-f]{64}$/);
  }
  const session = await loadModel('face_landmark_68');
  assert.deepEqual(session.inputNames, ['input']);
  assert.equal(await loadModel('face_landmark_68'), session, 'sessions are cached per process');
});

function expectError(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof TierflowError && e.code === code && pattern.test(e.message) && !e.message.includes('\n'));
}

void test('a missing manifest, a missing file and a changed file each give a one-line error with the fix', () => {
  process.env.TIERFLOW_MODELS_DIR = tmp;
  expectError(() => verifiedModelPath('face_recognition'), 'MODEL_MISSING', /manifest\.json is missing.*npm run models/);

  copyFileSync(join(realDir, 'manifest.json'), manifestPath());
  expectError(() => verifiedModelPath('face_recognition'), 'MODEL_MISSING', /face_recognition\.onnx is missing.*npm run models/);

  const file = join(tmp, 'face_recognition.onnx');
  copyFileSync(join(realDir, 'face_recognition.onnx'), file);
  assert.equal(verifiedModelPath('face_recognition').path, file);
  appendFileSync(file, 'tampered');
  expectError(() => verifiedModelPath('face_recognition'), 'MODEL_CHECKSUM', /face_recognition\.onnx has sha256 .*npm run models/);
  unlinkSync(file);
});
