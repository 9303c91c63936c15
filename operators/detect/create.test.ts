// The detect operator over real images (face-api's demo samples), built through its definition with defaults.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import sharp from 'sharp';
import { buildModels } from '../../models/build.js';
import type { OperatorContext, TransformInstance } from '../../pipelines/operator.js';
import type { FacesRecord, FrameRecord } from '../streams/records.js';
import { faceApiDemoDir } from '../../test/models/fixtures.js';
import definition, { DetectConfig } from './index.js';
import { detectFrames } from './frames.js';
import { operatorContext } from '../../test/helpers/operator-context.js';

const logs: string[] = [];
const ctx: OperatorContext = operatorContext({ operatorId: 'detect', log: (m) => logs.push(m) });
/** detect whose output goes to a topic: crops must be JPEG, the wire format. */
const published: OperatorContext = { ...ctx, publish: async () => {} };

before(() => {
  buildModels();
});

const jpegFrame = (seq: number, data: Uint8Array, width = 0, height = 0): FrameRecord => ({ camera: 'cam1', epoch: 'e0', seq, captureTs: 1000 + seq, width, height, format: 'jpeg', data });

async function create(config: object, context = published): Promise<TransformInstance<FrameRecord, FacesRecord>> {
  return (await definition.create(Value.Default(DetectConfig, config) as never, context)) as TransformInstance<FrameRecord, FacesRecord>;
}

async function run(op: TransformInstance<FrameRecord, FacesRecord>, frames: FrameRecord[]): Promise<FacesRecord[]> {
  const out: FacesRecord[] = [];
  await op.process(frames, (r) => out.push(r));
  return out;
}

void test('finds faces in a real frame, emits crops of the documented region, and faces: [] for an empty frame', { timeout: 60_000 }, async () => {
  const sample = new Uint8Array(readFileSync(join(faceApiDemoDir, 'sample1.jpg')));
  const blank = new Uint8Array(await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } }).jpeg().toBuffer());
  const out = await run(await create({}), [jpegFrame(0, sample), jpegFrame(1, blank)]);

  assert.deepEqual(out.map((r) => [r.camera, r.seq, r.captureTs]), [['cam1', 0, 1000], ['cam1', 1, 1001]]);
  const [faces, empty] = out as [FacesRecord, FacesRecord];
  assert.ok(faces.faces.length >= 1, 'sample1.jpg has faces');
  assert.deepEqual(empty.faces, []);
  for (const f of faces.faces) {
    const [x, y, w, h] = f.box;
    const [cx, cy, cw, ch] = f.cropBox;
    assert.ok(w >= 24 && h >= 24, 'default minFaceSize 24 applies');
    assert.ok(cx <= x && cy <= y && cx + cw >= Math.min(x + w, faces.width) && cy + ch >= Math.min(y + h, faces.height), 'crop covers the box');
    const meta = await sharp(f.crop).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', cw, ch]);
  }
  assert.deepEqual(faces.faces.map((f) => f.index), faces.faces.map((_, i) => i));
});

void test('without a topic, crops stay raw RGB of the crop box: same faces, same pixels as the JPEG path decodes to', { timeout: 60_000 }, async () => {
  const sample = new Uint8Array(readFileSync(join(faceApiDemoDir, 'sample1.jpg')));
  const [jpeg] = await run(await create({}), [jpegFrame(0, sample)]);
  const [raw] = await run(await create({}, ctx), [jpegFrame(0, sample)]);
  assert.deepEqual(raw!.faces.map((f) => [f.box, f.cropBox]), jpeg!.faces.map((f) => [f.box, f.cropBox]));
  assert.ok(raw!.faces.length >= 1);
  for (const [i, f] of raw!.faces.entries()) {
    assert.equal(f.cropFormat, 'rgb');
    assert.equal(jpeg!.faces[i]!.cropFormat, undefined);
    const [, , w, h] = f.cropBox;
    assert.equal(f.crop.length, w * h * 3);
    const { data } = await sharp(jpeg!.faces[i]!.crop).raw().toBuffer({ resolveWithObject: true });
    const meanDiff = data.reduce((sum, v, k) => sum + Math.abs(v - f.crop[k]!), 0) / data.length;
    assert.ok(meanDiff < 4, `raw crop matches its JPEG within compression noise (mean |diff| ${meanDiff.toFixed(2)})`);
  }
});

void test('an undecodable JPEG is logged and skipped; the next frames are still processed', { timeout: 60_000 }, async () => {
  const sample = readFileSync(join(faceApiDemoDir, 'sample2.jpg'));
  const truncated = new Uint8Array(sample.subarray(0, 600));
  const garbage = new Uint8Array([1, 2, 3, 4, 5]);
  logs.length = 0;
  const op = await create({ model: 'ssd' });
  const out = await run(op, [jpegFrame(0, truncated), jpegFrame(1, garbage), jpegFrame(2, new Uint8Array(sample))]);
  assert.deepEqual(out.map((r) => r.seq), [2]);
  assert.ok(out[0]!.faces.length >= 1);
  assert.equal(logs.length, 2);
  assert.match(logs[0]!, /cam1#0 is not a decodable JPEG/);
});

void test('raw RGB frames are accepted and a large minFaceSize drops every face', { timeout: 60_000 }, async () => {
  const { data, info } = await sharp(join(faceApiDemoDir, 'sample3.jpg')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const frame: FrameRecord = { camera: 'cam2', epoch: 'e0', seq: 7, captureTs: 5, width: info.width, height: info.height, format: 'rgb', data: new Uint8Array(data) };
  const all = await run(await create({}), [frame]);
  assert.ok(all[0]!.faces.length >= 1);
  const none = await run(await create({ minFaceSize: 5000 }), [frame]);
  assert.deepEqual(none[0]!.faces, []);
});

void test('frames are detected in batches of at most maxBatch, in order', async () => {
  const sizes: number[] = [];
  const rgb = (seq: number): FrameRecord => ({ camera: 'c', epoch: 'e0', seq, captureTs: seq, width: 2, height: 2, format: 'rgb', data: new Uint8Array(12) });
  const out = await detectFrames([0, 1, 2, 3, 4].map(rgb), async (imgs) => (sizes.push(imgs.length), imgs.map(() => [])), { maxBatch: 2, log: () => {} });
  assert.deepEqual(sizes, [2, 2, 1]);
  assert.deepEqual(out.map((r) => r.seq), [0, 1, 2, 3, 4]);
});

test('through the operator harness, detect -> embed embeds every face detect found: the crops cross the codec as JPEG', async () => {
  const { testFlow } = await import('../../pipelines/testing.js');
  const embed = (await import('../embed/index.js')).default;
  const sample = new Uint8Array(readFileSync(join(faceApiDemoDir, 'sample1.jpg')));
  const { stages, logs: said } = await testFlow([{ operator: definition }, { operator: embed }], [jpegFrame(0, sample)]);
  const found = (stages[0] as FacesRecord[])[0]!.faces.length;
  const embedded = (stages[1] as Array<{ faces: Array<{ embedding: number[] }> }>)[0]!.faces.filter((f) => f.embedding.length > 0).length;
  assert.ok(found > 0, 'the sample shows faces');
  assert.equal(embedded, found, `every face embedded (${said.join('; ')})`);
});
