// After decoding, our detectors must find what face-api finds on real images: same count, boxes within 0.5 px,
// scores within 1e-4 — for both the tiny detector (two input sizes) and the SSD.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildModels } from '../../models/build.js';
import { detectFaces, loadDetector, type DetectOptions, type Detection } from '../../models/infer/detect.js';
import { loadFaceApi, type FaceApiReference } from './face-api-reference.js';
import { demoImages, readRgb, sharedImages } from './fixtures.js';

let ref: FaceApiReference;

before(async () => {
  buildModels();
  ref = await loadFaceApi();
});

const images = [...demoImages().slice(0, 4), ...sharedImages(2)];

interface FaceApiDetection {
  score: number;
  box: { x: number; y: number; width: number; height: number };
}

function assertSame(file: string, got: Detection[], expected: FaceApiDetection[]): void {
  assert.equal(got.length, expected.length, `${file}: ${got.length} faces, face-api finds ${expected.length}`);
  expected.forEach((e, i) => {
    const g = got[i]!;
    const eb = [e.box.x, e.box.y, e.box.width, e.box.height];
    g.box.forEach((v, k) => assert.ok(Math.abs(v - eb[k]!) <= 0.5, `${file} face ${i}: box ${g.box.join(',')} vs ${eb.join(',')}`));
    assert.ok(Math.abs(g.score - e.score) <= 1e-4, `${file} face ${i}: score ${g.score} vs ${e.score}`);
  });
}

describe('detections match face-api after decoding', { timeout: 120_000 }, () => {
  for (const inputSize of [416, 608]) {
    it(`tiny detector at ${inputSize}`, async () => {
      const session = await loadDetector('tiny');
      const opts: DetectOptions = { model: 'tiny', inputSize, scoreThreshold: 0.5, minFaceSize: 0 };
      let total = 0;
      for (const file of images) {
        const img = await readRgb(file);
        const t = ref.image(img.data, img.width, img.height);
        const expected = (await ref.faceapi.nets.tinyFaceDetector.locateFaces(t, new ref.faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: 0.5 }))) as FaceApiDetection[];
        t.dispose();
        const got = await detectFaces(session, img, opts);
        assertSame(file, got, expected);
        total += got.length;
      }
      assert.ok(total >= images.length, `only ${total} faces in ${images.length} images`);
    });
  }

  it('SSD MobileNetV1', async () => {
    const session = await loadDetector('ssd');
    const opts: DetectOptions = { model: 'ssd', inputSize: 512, scoreThreshold: 0.5, minFaceSize: 0 };
    for (const file of images) {
      const img = await readRgb(file);
      const t = ref.image(img.data, img.width, img.height);
      const expected = (await ref.faceapi.nets.ssdMobilenetv1.locateFaces(t, new ref.faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }))) as FaceApiDetection[];
      t.dispose();
      assertSame(file, await detectFaces(session, img, opts), expected);
    }
  });
});
