// The demo's gallery: every face in the still photos behind the demo: cameras becomes an identity, named after
// its photo and its place from the left. The cameras then see those people panned, scaled and re-encoded, so a
// match is real recognition, not a pixel comparison.
import { basename, extname } from 'node:path';
import { listModels } from '../../models/registry.js';
import { TierflowError } from '../../pipelines/errors.js';
import { resolveMediaInput } from '../media/media-input.js';
import type { SourceSpec } from '../../pipelines/topology/schema.js';
import { decodeRgb } from './image.js';
import { createFaceAnalyser } from './faces.js';
import { createGallery, writeGallery, type Gallery, type Identity } from './gallery.js';

/** Faces smaller than this in the full photo are too small to enrol reliably. */
const MIN_ENROLL_FACE_PX = 40;

export async function enrollDemoGallery(sources: SourceSpec[], galleryFile: string, baseDir: string): Promise<Gallery> {
  const images = [
    ...new Set(
      sources.flatMap((s) => {
        const input = resolveMediaInput(s.url, { baseDir });
        return input.kind === 'image' ? [input.path] : [];
      }),
    ),
  ];
  if (images.length === 0) throw new TierflowError('GALLERY_INVALID', 'the demo gallery is made from image sources (demo: or file: images); this topology has none');
  const sha = (await listModels()).find((m) => m.name === 'face_recognition')?.sha256;
  if (!sha) throw new TierflowError('MODEL_MISSING', 'model face_recognition is not built: rebuild with `npm run models`');
  const analyser = await createFaceAnalyser();
  const identities: Identity[] = [];
  for (const image of images) {
    const faces = (await analyser.analyse(await decodeRgb(image))).filter((f) => Math.min(f.box[2], f.box[3]) >= MIN_ENROLL_FACE_PX);
    const photo = basename(image, extname(image));
    faces.sort((a, b) => a.box[0] - b.box[0]);
    faces.forEach((f, i) => identities.push({ name: `${photo}-person-${i + 1}`, embeddings: [f.embedding] }));
  }
  const gallery = createGallery(sha, identities);
  await writeGallery(galleryFile, gallery);
  return gallery;
}
