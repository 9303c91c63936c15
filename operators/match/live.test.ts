// match with liveGallery: true names faces from the table the engine follows (ctx.table): a person enrolled while it
// runs is named from the next batch on, a removed one is unknown again, and an entry of another model is left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import definition, { MatchConfig } from './index.js';
import { encodeGalleryEntry } from '../vision/gallery-table.js';
import { listModels } from '../../models/registry.js';
import type { TableView, TransformInstance } from '../../pipelines/operator.js';
import type { EmbeddingsRecord, MatchesRecord } from '../streams/records.js';
import { operatorContext } from '../../test/helpers/operator-context.js';

const axis = (i: number) => Array.from({ length: 128 }, (_, k) => (k === i ? 1 : 0));

void test('match follows the live gallery: enrolled, removed and foreign-model identities', async () => {
  const sha = (await listModels()).find((m) => m.name === 'face_recognition')!.sha256;
  const values = new Map<string, Uint8Array>([['ada', encodeGalleryEntry(sha, { name: 'ada', embeddings: [axis(0)] })]]);
  let version = 0;
  const table: TableView = { topic: 'tierflow.t.gallery', get version() { return version; }, entries: () => values };
  const logs: string[] = [];
  const op = (await definition.create(Value.Default(MatchConfig, { liveGallery: true }) as never, operatorContext({ operatorId: 'm', table, log: (l) => logs.push(l) }))) as TransformInstance<EmbeddingsRecord, MatchesRecord>;
  const ask = async (i: number) => {
    const out: MatchesRecord[] = [];
    await op.process([{ camera: 'c', epoch: 'e1', seq: 1, captureTs: 1, faces: [{ index: 0, box: [0, 0, 1, 1], score: 1, landmarks: [], embedding: axis(i), track: 0, carried: false }] }], (r) => out.push(r));
    return out[0]!.faces[0]!.identity;
  };
  assert.equal(await ask(0), 'ada');
  assert.equal(await ask(5), null);
  values.set('dana', encodeGalleryEntry(sha, { name: 'dana', embeddings: [axis(5)] }));
  values.set('old', encodeGalleryEntry('f'.repeat(64), { name: 'old', embeddings: [axis(7)] }));
  assert.equal(await ask(5), null, 'the table has not moved on (same version): nothing re-read');
  version++;
  assert.equal(await ask(5), 'dana');
  assert.equal(await ask(7), null, 'an identity of another model is not comparable');
  assert.ok(logs.some((l) => /left out old \(enrolled with face_recognition ffffffffffff\)/.test(l)));
  values.delete('ada');
  version++;
  assert.equal(await ask(0), null, 'removed');
});

void test('match with liveGallery refuses to start without the table the engine follows', async () => {
  await assert.rejects(definition.create(Value.Default(MatchConfig, { liveGallery: true }) as never, operatorContext({ operatorId: 'm' })), /engine gave no table/);
});
