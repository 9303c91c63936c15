// The detection test needs the built models (npm run models) and reads a photo of the shared LFW data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { complementDetections, detectStill, mergeDetections, padImage } from './still-detect.js';
import { STILL_IMAGE_COMPLEMENT, STILL_IMAGE_DETECTION } from './faces.js';
import { decodeRgb } from './image.js';
import { loadDetector, type Detection } from '../../models/infer/detect.js';
import { sharedData } from '../../test/helpers/paths.js';

void test('mergeDetections keeps one box per face, the best-scoring, best first', () => {
  const plain: Detection[] = [{ box: [10, 10, 20, 20], score: 0.6 }, { box: [100, 100, 50, 50], score: 0.9 }];
  const framed: Detection[] = [{ box: [12, 11, 22, 21], score: 0.95 }, { box: [200, 10, 30, 30], score: 0.7 }];
  const merged = mergeDetections([plain, framed]);
  assert.deepEqual(merged.map((d) => d.score), [0.95, 0.9, 0.7]);
  assert.deepEqual(merged[0]!.box, [12, 11, 22, 21]);
  assert.deepEqual(mergeDetections([[], []]), []);
});

void test('padImage puts the image in the middle of a black frame', () => {
  const image = { width: 2, height: 1, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
  const framed = padImage(image, 1);
  assert.equal(framed.width, 4);
  assert.equal(framed.height, 3);
  assert.deepEqual([...framed.data.subarray(15, 21)], [1, 2, 3, 4, 5, 6]);
  assert.equal(framed.data.reduce((s, v) => s + v, 0), 21);
});

void test('detectStill finds the face filling a portrait that the plain pass misses', async () => {
  // Adrien Brody fills the middle of this LFW photo; the SSD alone finds only a small face in the crowd behind him.
  const image = await decodeRgb(join(sharedData, 'lfw', 'lfw-deepfunneled', 'Adrien_Brody', 'Adrien_Brody_0007.jpg'));
  const detector = await loadDetector('ssd', 1);
  const holdsCentre = (ds: Detection[]) => ds.some(({ box: [x, y, w, h] }) => x < 125 && 125 < x + w && y < 125 && 125 < y + h && w > 60);
  const plain = await detectStill(detector, image, STILL_IMAGE_DETECTION, 'off');
  assert.ok(plain.length >= 1 && !holdsCentre(plain), 'the plain pass misses the subject (else this photo no longer tests anything)');
  const both = await detectStill(detector, image, STILL_IMAGE_DETECTION, 'always');
  assert.ok(holdsCentre(both), `subject found: ${JSON.stringify(both)}`);
  assert.ok(both.length > plain.length, 'the small face behind is kept too');
  for (let i = 1; i < both.length; i++) assert.ok(both[i - 1]!.score >= both[i]!.score);
});

void test('complementDetections adds only the faces that overlap none already found', () => {
  const found: Detection[] = [{ box: [10, 10, 20, 20], score: 0.6 }];
  const extra: Detection[] = [{ box: [11, 11, 20, 20], score: 0.9 }, { box: [100, 100, 30, 30], score: 0.7 }];
  assert.deepEqual(complementDetections(found, extra), [{ box: [100, 100, 30, 30], score: 0.7 }, { box: [10, 10, 20, 20], score: 0.6 }]);
  assert.deepEqual(complementDetections([], extra).length, 2);
});

void test('the tiny detector complements the SSD where it misses the subject', async () => {
  // Yasser Arafat (keffiyeh, left of centre) is not found by the SSD, plain or framed; the faces around him are.
  const image = await decodeRgb(join(sharedData, 'lfw', 'lfw-deepfunneled', 'Yasser_Arafat', 'Yasser_Arafat_0005.jpg'));
  const holdsCentre = (ds: Detection[]) => ds.some(({ box: [x, y, w, h] }) => x < 125 && 125 < x + w && y < 125 && 125 < y + h);
  const ssd = await loadDetector('ssd', 1);
  const alone = await detectStill(ssd, image, STILL_IMAGE_DETECTION, 'always');
  assert.ok(alone.length >= 1 && !holdsCentre(alone), `the SSD misses him (else this photo no longer tests anything): ${JSON.stringify(alone)}`);
  const both = await detectStill(ssd, image, STILL_IMAGE_DETECTION, 'always', { detector: await loadDetector('tiny', 1), opts: STILL_IMAGE_COMPLEMENT });
  assert.ok(holdsCentre(both), `found with the tiny detector: ${JSON.stringify(both)}`);
  assert.ok(both.length > alone.length && alone.every((a) => both.some((b) => b.box.every((v, i) => v === a.box[i]))), 'the SSD faces are all kept');
});
