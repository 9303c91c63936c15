// The match operator: reads the gallery once, then labels every face of every embeddings record.
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Static } from '@sinclair/typebox';
import type { OperatorContext, TransformInstance } from '../../pipelines/operator.js';
import type { EmbeddingsRecord, MatchesRecord } from '../streams/records.js';
import { readGallery } from '../../pipelines/vision/gallery.js';
import { listModels } from '../../models/registry.js';
import { createMatcher, memoryClusterStore, type ClusterStore, type Matcher } from './matcher.js';
import type { MatchConfig } from './index.js';

export function matchRecord(matcher: Matcher, record: EmbeddingsRecord): MatchesRecord {
  return {
    camera: record.camera,
    epoch: record.epoch,
    seq: record.seq,
    captureTs: record.captureTs,
    faces: record.faces.map((f) => ({ index: f.index, box: f.box, score: f.score, ...matcher.match(f.embedding) })),
  };
}

export async function createMatch(config: Static<typeof MatchConfig>, ctx: OperatorContext): Promise<TransformInstance<EmbeddingsRecord, MatchesRecord>> {
  const file = isAbsolute(config.gallery) ? config.gallery : resolve(ctx.baseDir, config.gallery);
  // Embeddings of another recognition model are not comparable: refuse a gallery enrolled with one.
  const installed = (await listModels()).find((m) => m.name === 'face_recognition')?.sha256;
  const options = { threshold: config.threshold, clusterUnknown: config.clusterUnknown };
  // Unknown-face clusters live in the engine's state store (per input partition, changelog-backed).
  const store = (ctx.state as ClusterStore | undefined) ?? memoryClusterStore(`${ctx.node}.${ctx.replica}`);
  let matcher = createMatcher(await readGallery(file, installed), options, store);
  // An identity enrolled while running (the dashboard names an unknown face) is matched from the next batch on:
  // the gallery file is looked at again at most once a second, and re-read when it changed.
  let seenMtime = mtimeOf(file);
  let checkedAt = Date.now();
  return {
    kind: 'transform',
    async process(batch, emit) {
      if (Date.now() - checkedAt >= 1000) {
        checkedAt = Date.now();
        const mtime = mtimeOf(file);
        if (mtime !== seenMtime) {
          seenMtime = mtime;
          try {
            matcher = createMatcher(await readGallery(file, installed), options, store);
            ctx.log(`gallery ${file} changed: re-read`);
          } catch (e) {
            ctx.log(`gallery ${file} changed but cannot be read, keeping the previous one: ${(e as Error).message}`);
          }
        }
      }
      for (const record of batch) emit(matchRecord(matcher, record));
    },
  };
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}
