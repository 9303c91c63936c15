// The converted ONNX nets must reproduce face-api's own networks: same input tensor, max abs diff <= 1e-4 on
// raw outputs (recognition is expected near 1e-6). Inputs are real images resized to each net's input size.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { loadModel, type ModelName } from '../../models/registry.js';
import { buildModels } from '../../models/build.js';
import { loadFaceApi, type FaceApiReference } from './face-api-reference.js';
import { demoImages, readRgb } from './fixtures.js';

let ref: FaceApiReference;

before(async () => {
  buildModels();
  ref = await loadFaceApi();
});

async function batchOf(size: number, files: string[]): Promise<{ nhwc: Float32Array; tensors: unknown[] }> {
  const imgs = await Promise.all(files.map((f) => readRgb(f, size)));
  const nhwc = new Float32Array(files.length * size * size * 3);
  imgs.forEach((img, i) => nhwc.set(img.data, i * size * size * 3));
  return { nhwc, tensors: imgs.map((img) => ref.image(img.data, size, size)) };
}

async function runOnnx(name: ModelName, nhwc: Float32Array, n: number, size: number): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await loadModel(name);
  return session.run({ input: new ort.Tensor('float32', nhwc, [n, size, size, 3]) });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'output lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const files = demoImages().slice(0, 2);

describe('ONNX conversions reproduce face-api raw outputs', { timeout: 120_000 }, () => {
  it('face_recognition: [N,128] within 1e-4', async () => {
    const { nhwc, tensors } = await batchOf(150, files);
    const expected = ref.faceapi.nets.faceRecognitionNet.forwardInput(await ref.faceapi.toNetInput(tensors));
    const got = await runOnnx('face_recognition', nhwc, files.length, 150);
    assert.deepEqual(got.descriptor!.dims, [files.length, 128]);
    const diff = maxAbsDiff(got.descriptor!.data as Float32Array, expected.dataSync());
    assert.ok(diff <= 1e-4, `max abs diff ${diff}`);
  });

  it('face_landmark_68: [N,136] within 1e-4', async () => {
    const { nhwc, tensors } = await batchOf(112, files);
    const expected = ref.faceapi.nets.faceLandmark68Net.runNet(await ref.faceapi.toNetInput(tensors));
    const got = await runOnnx('face_landmark_68', nhwc, files.length, 112);
    assert.deepEqual(got.landmarks!.dims, [files.length, 136]);
    const diff = maxAbsDiff(got.landmarks!.data as Float32Array, expected.dataSync());
    assert.ok(diff <= 1e-4, `max abs diff ${diff}`);
  });

  for (const size of [416, 320]) {
    it(`tiny_face_detector at ${size}: raw grid within 1e-4`, async () => {
      const { nhwc, tensors } = await batchOf(size, files);
      const expected = ref.faceapi.nets.tinyFaceDetector.forwardInput(await ref.faceapi.toNetInput(tensors), size);
      const got = await runOnnx('tiny_face_detector', nhwc, files.length, size);
      assert.deepEqual(got.grid!.dims, expected.shape);
      const diff = maxAbsDiff(got.grid!.data as Float32Array, expected.dataSync());
      assert.ok(diff <= 1e-4, `max abs diff ${diff}`);
    });
  }

  it('ssd_mobilenetv1: boxes and scores within 1e-4', async () => {
    const { nhwc, tensors } = await batchOf(512, files);
    const expected = ref.faceapi.nets.ssdMobilenetv1.forwardInput(await ref.faceapi.toNetInput(tensors));
    const got = await runOnnx('ssd_mobilenetv1', nhwc, files.length, 512);
    const cat = (ts: Array<{ dataSync(): Float32Array }>): number[] => ts.flatMap((t) => Array.from(t.dataSync()));
    const boxDiff = maxAbsDiff(got.boxes!.data as Float32Array, cat(expected.boxes));
    const scoreDiff = maxAbsDiff(got.scores!.data as Float32Array, cat(expected.scores));
    assert.ok(boxDiff <= 1e-4, `boxes max abs diff ${boxDiff}`);
    assert.ok(scoreDiff <= 1e-4, `scores max abs diff ${scoreDiff}`);
  });
});
