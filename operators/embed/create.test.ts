// Needs the built models (npm run models). A real photo goes through the detect operator, then embed; the
// result must agree with the faces core on the whole image, and a corrupt crop must be skipped, not fatal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import detectDefinition, { DetectConfig } from '../detect/index.js';
import embedDefinition, { EmbedConfig } from './index.js';
import type { OperatorContext, TransformInstance } from '../../pipelines/operator.js';
import type { EmbeddingsRecord, FacesRecord, FrameRecord } from '../streams/records.js';
import { facesInImages } from '../vision/faces.js';
import { sharedData } from '../../test/helpers/paths.js';
import { operatorContext } from '../../test/helpers/operator-context.js';

const logs: string[] = [];
const ctx: OperatorContext = operatorContext({ operatorId: 'x', log: (m) => logs.push(m) });
const dist = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));

// Crops arrive as JPEG when detect's output goes to a topic, raw RGB when detect and embed are fused.
for (const [crops, detectCtx] of [['JPEG', { ...ctx, publish: async () => {} }], ['raw', ctx]] as const) void test(`embed: ${crops} detector crops give the embeddings and frame-pixel landmarks of the whole-image path`, async () => {
  const file = join(sharedData, 'people', '_groups', 'two_people.jpg');
  const sharpMeta = (await import('sharp')).default(file);
  const { width, height } = await sharpMeta.metadata();
  const frame: FrameRecord = { camera: 'cam', epoch: 'e0', seq: 7, captureTs: 1000, width: width!, height: height!, format: 'jpeg', data: await readFile(file) };
  const detect = (await detectDefinition.create(Value.Default(DetectConfig, { model: 'ssd', resize: 'exact' }) as never, detectCtx)) as TransformInstance<FrameRecord, FacesRecord>;
  const faces: FacesRecord[] = [];
  await detect.process([frame], (r) => faces.push(r));
  assert.ok(faces[0]!.faces.length >= 2);
  assert.equal(faces[0]!.faces[0]!.cropFormat, crops === 'raw' ? 'rgb' : undefined);
  // A second record whose only crop is garbage: reported, skipped, the record still flows.
  const broken: FacesRecord = { ...faces[0]!, seq: 8, faces: [{ ...faces[0]!.faces[0]!, crop: new Uint8Array([1, 2, 3]) }] };
  const embed = (await embedDefinition.create(Value.Default(EmbedConfig, { maxBatch: 1 }) as never, ctx)) as TransformInstance<FacesRecord, EmbeddingsRecord>;
  const out: EmbeddingsRecord[] = [];
  await embed.process([faces[0]!, broken], (r) => out.push(r));
  assert.deepEqual(out.map((r) => [r.seq, r.faces.length]), [[7, faces[0]!.faces.length], [8, 0]]);
  assert.ok(logs.some((m) => /cam#8 face 0 crop: not a readable image.*; face skipped/.test(m)), logs.join('\n'));

  let whole;
  // Plain detection only, like the detect operator: the framed pass of still images may pick other boxes.
  for await (const r of facesInImages([file], { detect: { model: 'ssd' }, framing: 'off' })) whole = r;
  for (const e of out[0]!.faces) {
    const same = whole!.faces.find((f) => Math.abs(f.box[0] - e.box[0]) < 2 && Math.abs(f.box[1] - e.box[1]) < 2)!;
    assert.ok(same, 'the same face was found on the whole image');
    assert.ok(dist(same.embedding, e.embedding) < 0.15, `crop vs whole image ${dist(same.embedding, e.embedding)}`);
    assert.ok(Math.abs(same.landmarks[60]! - e.landmarks[60]!) < 3, 'nose tip in frame pixels');
  }
});
