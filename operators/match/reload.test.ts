// A gallery changed while match runs (the dashboard enrolling a named face) is used from the next batch on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import definition, { MatchConfig } from './index.js';
import { createGallery, writeGallery } from '../vision/gallery.js';
import { listModels } from '../../models/registry.js';
import type { TransformInstance } from '../../pipelines/operator.js';
import type { EmbeddingsRecord, MatchesRecord } from '../streams/records.js';
import { operatorContext } from '../../test/helpers/operator-context.js';

const axis = (i: number) => Array.from({ length: 128 }, (_, k) => (k === i ? 1 : 0));

void test('match re-reads a gallery that changed: a face unknown before is named after', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'match-reload-'));
  try {
    const sha = (await listModels()).find((m) => m.name === 'face_recognition')?.sha256 ?? '0'.repeat(64);
    const file = join(dir, 'g.json');
    await writeGallery(file, createGallery(sha, [{ name: 'ada', embeddings: [axis(0)] }]));
    const op = (await definition.create(Value.Default(MatchConfig, { gallery: 'g.json' }) as never, operatorContext({ operatorId: 'm', dataDir: dir, baseDir: dir }))) as TransformInstance<EmbeddingsRecord, MatchesRecord>;
    const ask = async () => {
      const out: MatchesRecord[] = [];
      await op.process([{ camera: 'c', epoch: 'e1', seq: 1, captureTs: 1, faces: [{ index: 0, box: [0, 0, 1, 1], score: 1, landmarks: [], embedding: axis(5), track: 0, carried: false }] }], (r) => out.push(r));
      return out[0]!.faces[0]!.identity;
    };
    assert.equal(await ask(), null);
    await writeGallery(file, createGallery(sha, [{ name: 'ada', embeddings: [axis(0)] }, { name: 'dana', embeddings: [axis(5)] }]));
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(await ask(), 'dana');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
