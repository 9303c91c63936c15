// The match operator: reads the gallery (a file, or the live gallery table), then labels every face of every
// embeddings record, re-reading the gallery when it changed.
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Static } from '@sinclair/typebox';
import type { OperatorContext, TransformInstance } from '../../pipelines/operator.js';
import type { EmbeddingsRecord, FaceMatch, MatchesRecord } from '../streams/records.js';
import { IDENTITIES, remember, trackKey, type IdentityBoard } from '../track/identities.js';
import { readGallery, type Gallery } from '../vision/gallery.js';
import { TierflowError } from '../../pipelines/errors.js';
import { galleryFromTable } from '../vision/gallery-table.js';
import { listModels } from '../../models/registry.js';
import { createMatcher, memoryClusterStore, type ClusterStore, type Matcher } from './matcher.js';
import type { MatchConfig } from './index.js';

type Label = Pick<FaceMatch, 'identity' | 'distance' | 'clusterId'>;

/** Nothing known of a carried face's track (match restarted, or the camera moved to this replica mid-track): unknown,
 *  at the largest distance two unit vectors can have, until the track is embedded again. */
const UNLABELLED: Label = { identity: null, distance: 2, clusterId: null };
/** Tracks whose label match remembers; the oldest are forgotten first. */
const TRACKS_REMEMBERED = 10_000;

/**
 * Labels every face of a record: an embedded face by the gallery, a carried one by its track's label from the
 * frame it was last embedded in. A tracked face's label is remembered for its track and told to the board the
 * tracker reads, so a known face is re-embedded less often than an unknown one.
 */
export function createLabeller(board: IdentityBoard = IDENTITIES): (matcher: Matcher, record: EmbeddingsRecord) => MatchesRecord {
  const labels = new Map<string, Label>();
  return (matcher, record) => ({
    camera: record.camera,
    epoch: record.epoch,
    seq: record.seq,
    captureTs: record.captureTs,
    faces: record.faces.map((f) => {
      const key = trackKey(record.camera, record.epoch, f.track);
      let label: Label;
      if (f.carried) label = labels.get(key) ?? UNLABELLED;
      else {
        label = matcher.match(f.embedding);
        if (f.track !== 0) {
          remember(labels, key, label, TRACKS_REMEMBERED);
          board.tell(key, label.identity);
        }
      }
      return { index: f.index, box: f.box, score: f.score, ...label, track: f.track, carried: f.carried };
    }),
  });
}

export async function createMatch(config: Static<typeof MatchConfig>, ctx: OperatorContext): Promise<TransformInstance<EmbeddingsRecord, MatchesRecord>> {
  // Embeddings of another recognition model are not comparable: refuse a gallery enrolled with one.
  const installed = (await listModels()).find((m) => m.name === 'face_recognition')?.sha256;
  const options = { threshold: config.threshold, clusterUnknown: config.clusterUnknown };
  // Unknown-face clusters live in the engine's state store (per input partition, changelog-backed).
  const store = (ctx.state as ClusterStore | undefined) ?? memoryClusterStore(`${ctx.node}.${ctx.replica}`);
  const gallery = config.liveGallery ? liveGallery(ctx, installed) : fileGallery(config.gallery!, ctx, installed);
  let matcher = createMatcher(await gallery.initial(), options, store);
  const label = createLabeller();
  return {
    kind: 'transform',
    async process(batch, emit) {
      const changed = await gallery.changed();
      if (changed) matcher = createMatcher(changed, options, store);
      for (const record of batch) emit(label(matcher, record));
    },
  };
}

/** Where match's identities come from: read once, then asked before every batch whether they changed. */
interface GallerySource {
  initial(): Promise<Gallery>;
  /** The new gallery when it changed since the last call, else null. */
  changed(): Promise<Gallery | null>;
}

/** The live gallery: the table the engine follows for match (ctx.table), rebuilt when a change was applied. */
function liveGallery(ctx: OperatorContext, installed: string | undefined): GallerySource {
  const table = ctx.table;
  if (!table) throw new TierflowError('INTERNAL', `${ctx.operatorId}: liveGallery is set, but the engine gave no table (is the plan older than the operator?)`);
  if (!installed) throw new TierflowError('MODEL_MISSING', 'no face_recognition model is built: run `npm run models`');
  let seen = table.version;
  const read = (): Gallery => {
    const { gallery, skipped } = galleryFromTable(table.entries(), installed);
    for (const s of skipped) ctx.log(`live gallery ${table.topic}: left out ${s}`);
    ctx.log(`live gallery ${table.topic}: ${gallery.identities.length} identities`);
    return gallery;
  };
  return {
    initial: async () => read(),
    changed: async () => {
      if (table.version === seen) return null;
      seen = table.version;
      return read();
    },
  };
}

/**
 * A gallery file. An identity enrolled while running (the dashboard names an unknown face) is matched from the next
 * batch on: the file is looked at again at most once a second, and re-read when it changed.
 */
function fileGallery(name: string, ctx: OperatorContext, installed: string | undefined): GallerySource {
  const file = isAbsolute(name) ? name : resolve(ctx.baseDir, name);
  let seenMtime = mtimeOf(file);
  let checkedAt = Date.now();
  return {
    initial: () => readGallery(file, installed),
    changed: async () => {
      if (Date.now() - checkedAt < 1000) return null;
      checkedAt = Date.now();
      const mtime = mtimeOf(file);
      if (mtime === seenMtime) return null;
      seenMtime = mtime;
      try {
        const g = await readGallery(file, installed);
        ctx.log(`gallery ${file} changed: re-read`);
        return g;
      } catch (e) {
        ctx.log(`gallery ${file} changed but cannot be read, keeping the previous one: ${(e as Error).message}`);
        return null;
      }
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
