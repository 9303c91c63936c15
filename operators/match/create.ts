// The match operator: reads the gallery once, then labels every face of every embeddings record.
import { isAbsolute, resolve } from 'node:path';
import type { Static } from '@sinclair/typebox';
import type { OperatorContext, TransformInstance } from '../../pipelines/operator.js';
import type { EmbeddingsRecord, MatchesRecord } from '../../pipelines/streams/records.js';
import { readGallery } from '../../pipelines/vision/gallery.js';
import { listModels } from '../../models/registry.js';
import { createMatcher, type Matcher } from './matcher.js';
import type { MatchConfig } from './index.js';

export function matchRecord(matcher: Matcher, record: EmbeddingsRecord): MatchesRecord {
  return {
    camera: record.camera,
    seq: record.seq,
    captureTs: record.captureTs,
    faces: record.faces.map((f) => ({ index: f.index, box: f.box, score: f.score, ...matcher.match(f.embedding) })),
  };
}

export async function createMatch(config: Static<typeof MatchConfig>, ctx: OperatorContext): Promise<TransformInstance<EmbeddingsRecord, MatchesRecord>> {
  const file = isAbsolute(config.gallery) ? config.gallery : resolve(ctx.baseDir, config.gallery);
  // Embeddings of another recognition model are not comparable: refuse a gallery enrolled with one.
  const installed = (await listModels()).find((m) => m.name === 'face_recognition')?.sha256;
  const matcher = createMatcher(await readGallery(file, installed), { threshold: config.threshold, clusterUnknown: config.clusterUnknown });
  return {
    kind: 'transform',
    async process(batch, emit) {
      for (const record of batch) emit(matchRecord(matcher, record));
    },
  };
}
