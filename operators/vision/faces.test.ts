// Needs the built models (npm run models); runs on real photos from the shared test data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { facesInImages, subjectFace, type ImageFaces } from './faces.js';
import { embedFaces, loadFaceModels, meanDescriptor } from './embed.js';
import { STILL_VIEWS } from './chip.js';
import { decodeRgb } from './image.js';
import { detectFaces, loadDetector } from '../../models/infer/detect.js';
import { STILL_IMAGE_DETECTION } from './faces.js';
import { cliPath, repoRoot, sharedData } from '../../test/helpers/paths.js';
import { spawnSync } from 'node:child_process';

const people = join(sharedData, 'people');
const dist = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));

void test('faces: sorted faces with unit embeddings; same person near, different people far; bad files reported', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'faces-'));
  try {
    const corrupt = join(dir, 'corrupt.jpg');
    await writeFile(corrupt, Buffer.from([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]));
    const files = [
      join(people, 'barack_obama', 'obama_small.jpg'), corrupt, join(people, 'barack_obama', 'obama1.jpg'),
      join(people, 'human_stock_emotions_a', 'stock-emotions-a-1.jpg'), join(people, '_groups', 'two_people.jpg'),
    ];
    const results: ImageFaces[] = [];
    for await (const r of facesInImages(files)) results.push(r);
    assert.deepEqual(results.map((r) => r.file), files);
    assert.match(results[1]!.error!, /corrupt\.jpg: not a readable image/);
    assert.equal(results[1]!.faces.length, 0);
    for (const r of [results[0]!, results[2]!, results[3]!]) assert.ok(r.faces.length >= 1, `a face in ${r.file}`);
    assert.ok(results[4]!.faces.length >= 2, 'two people in the group photo');
    for (const r of results) {
      for (let i = 1; i < r.faces.length; i++) assert.ok(r.faces[i - 1]!.score >= r.faces[i]!.score, 'best score first');
      for (const f of r.faces) {
        assert.equal(f.embedding.length, 128);
        assert.ok(Math.abs(Math.hypot(...f.embedding) - 1) < 1e-5);
        assert.equal(f.landmarks.length, 136);
        const [x, y, w, h] = f.box;
        // The landmarks of the nose tip (30) lie inside the detector box, in original image pixels.
        assert.ok(f.landmarks[60]! > x && f.landmarks[60]! < x + w && f.landmarks[61]! > y && f.landmarks[61]! < y + h);
      }
    }
    const obamaA = results[0]!.faces[0]!.embedding, obamaB = results[2]!.faces[0]!.embedding, other = results[3]!.faces[0]!.embedding;
    assert.ok(dist(obamaA, obamaB) < 0.5, `same person ${dist(obamaA, obamaB)}`);
    assert.ok(dist(obamaA, other) > 0.6, `different people ${dist(obamaA, other)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('subjectFace prefers the face holding the image centre over a higher-scoring one at the edge', () => {
  const faces = [{ box: [0, 0, 20, 20] as [number, number, number, number] }, { box: [40, 40, 30, 30] as [number, number, number, number] }];
  assert.equal(subjectFace(faces, 100, 100), faces[1]);
  assert.equal(subjectFace(faces.slice(0, 1), 100, 100), faces[0]);
  assert.equal(subjectFace([], 100, 100), undefined);
});

void test('a still face is described by the mean of its four chips; the mirrored chips are really mirrored', async () => {
  const image = await decodeRgb(join(people, 'barack_obama', 'obama1.jpg'));
  const [face] = await detectFaces(await loadDetector('ssd', 1), image, STILL_IMAGE_DETECTION);
  const models = await loadFaceModels(1);
  const input = [{ image, box: face!.box }];
  const [still] = await embedFaces(models, input, { views: STILL_VIEWS });
  const each = await Promise.all(STILL_VIEWS.map(async (v) => (await embedFaces(models, input, { views: [v] }))[0]!.embedding));
  assert.ok(dist(still!.embedding, meanDescriptor(each)) < 1e-6, `still vs mean of views ${dist(still!.embedding, meanDescriptor(each))}`);
  // Same person, other half-face first: near, but not the same chip.
  assert.ok(dist(each[0]!, each[1]!) > 0.02 && dist(each[0]!, each[1]!) < 0.4, `5-point vs its mirror ${dist(each[0]!, each[1]!)}`);
  assert.ok(dist(each[0]!, each[2]!) > 0.005, `5-point vs 68-point ${dist(each[0]!, each[2]!)}`);
});

void test('faces --fallback-score finds the face in a photo where none reaches the default score', () => {
  // Abdoulaye Wade, turned aside and lit from one side: no detector gives him 0.5; the tiny one gives ~0.44.
  const photo = join(sharedData, 'lfw', 'lfw-deepfunneled', 'Abdoulaye_Wade', 'Abdoulaye_Wade_0003.jpg');
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [cliPath, 'faces', ...args, photo], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim()) as { faces: { box: [number, number, number, number]; score: number }[] };
  };
  assert.equal(run().faces.length, 0, 'none at the default score (else this photo no longer tests anything)');
  const found = run('--fallback-score', '0.2').faces;
  assert.ok(found.length >= 1 && found[0]!.score < 0.5, JSON.stringify(found));
  const [x, y, w, h] = found[0]!.box;
  assert.ok(x < 125 && 125 < x + w && y < 125 && 125 < y + h, `the face holds the centre: ${JSON.stringify(found[0])}`);
});
