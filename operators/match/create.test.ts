import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import definition, { MatchConfig } from './index.js';
import { createGallery, writeGallery } from '../vision/gallery.js';
import { TierflowError } from '../../pipelines/errors.js';
import { listModels } from '../../models/registry.js';
import type { OperatorContext, TransformInstance } from '../../pipelines/operator.js';
import type { EmbeddingsRecord, MatchesRecord } from '../streams/records.js';
import { operatorContext } from '../../test/helpers/operator-context.js';

const axis = (i: number) => Array.from({ length: 128 }, (_, k) => (k === i ? 1 : 0));

void test('built through its definition, match resolves the gallery against the topology folder and labels faces', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'match-'));
  try {
    const sha = (await listModels()).find((m) => m.name === 'face_recognition')?.sha256 ?? '0'.repeat(64);
    await writeGallery(join(dir, 'g.json'), createGallery(sha, [{ name: 'ada', embeddings: [axis(0)] }]));
    await writeGallery(join(dir, 'other.json'), createGallery('f'.repeat(64), [{ name: 'ada', embeddings: [axis(0)] }]));
    const ctx: OperatorContext = operatorContext({ operatorId: 'm', dataDir: dir, baseDir: dir });
    const op = (await definition.create(Value.Default(MatchConfig, { gallery: 'g.json' }) as never, ctx)) as TransformInstance<EmbeddingsRecord, MatchesRecord>;
    const out: MatchesRecord[] = [];
    const face = (embedding: number[], index: number) => ({ index, box: [1, 2, 3, 4] as [number, number, number, number], score: 0.9, landmarks: [], embedding, track: 0, carried: false });
    await op.process([{ camera: 'c', epoch: 'e0', seq: 3, captureTs: 5, faces: [face(axis(0), 0), face(axis(1), 1)] }], (r) => out.push(r));
    assert.deepEqual(out[0]!.faces.map((f) => [f.index, f.identity, f.distance, f.clusterId]), [[0, 'ada', 0, null], [1, null, Math.SQRT2, 'p0.u0']]);
    await assert.rejects(definition.create(Value.Default(MatchConfig, { gallery: 'missing.json' }) as never, ctx), (e: unknown) => e instanceof TierflowError && e.code === 'GALLERY_INVALID');
    if (sha !== '0'.repeat(64)) {
      await assert.rejects(definition.create(Value.Default(MatchConfig, { gallery: 'other.json' }) as never, ctx), (e: unknown) => e instanceof TierflowError && /installed model/.test(e.message));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
