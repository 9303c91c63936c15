// Naming an unknown face: the cluster's embeddings (as the live view captured them from the embed operator's
// output), plus those of an optional uploaded photo, are added to the gallery under the name. The match operator
// re-reads a changed gallery, so the next sighting of that face carries the name.
import { TierflowError } from '../../pipelines/errors.js';
import { EnrolRefused, MAX_UPLOAD_BYTES, type EnrolRequest } from '../../pipelines/dashboard/feed.js';
import sharp from '../media/sharp.js';
import { createGallery, readGallery, writeGallery, type Gallery } from './gallery.js';
import type { LiveView } from './live-feed.js';

const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._'-]{0,63}$/u;

export interface EnrolTarget {
  galleryFile: string;
  /** The installed recognition model's sha256 (the gallery is stamped with it). */
  modelSha256: string;
  /** Embeds the faces of a photo (loaded only when a photo is uploaded). */
  embedPhoto?: (rgb: { data: Uint8Array; width: number; height: number }) => Promise<number[][]>;
}

/** Checks what the request can be checked for without touching the gallery; throws EnrolRefused. */
export async function validateEnrol(live: LiveView, req: EnrolRequest): Promise<{ embeddings: number[][]; photo?: { data: Uint8Array; width: number; height: number } }> {
  if (typeof req.name !== 'string' || !NAME.test(req.name.trim())) {
    throw new EnrolRefused(400, 'enrol: name must be 1-64 letters, digits, spaces or . _ \' - (starting with a letter or digit)');
  }
  const cluster = live.cluster(req.clusterId);
  if (!cluster) throw new EnrolRefused(404, `enrol: no unknown face with cluster id '${req.clusterId}' has been seen by this dashboard`);
  let photo: { data: Uint8Array; width: number; height: number } | undefined;
  if (req.photo) {
    if (req.photo.bytes.length > MAX_UPLOAD_BYTES) throw new EnrolRefused(413, `enrol: the photo is ${req.photo.bytes.length} bytes; at most ${MAX_UPLOAD_BYTES} are accepted`);
    if (!/^image\/(jpeg|png|webp)$/.test(req.photo.contentType)) throw new EnrolRefused(415, `enrol: expected a JPEG, PNG or WebP photo, got content type '${req.photo.contentType}'`);
    try {
      const { data, info } = await sharp(req.photo.bytes, { failOn: 'error' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      photo = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
    } catch (e) {
      throw new EnrolRefused(415, `enrol: the upload is not a readable image (${(e as Error).message.split('\n')[0]})`);
    }
  }
  if (cluster.embeddings.length === 0 && !photo) throw new EnrolRefused(409, `enrol: no embedding of unknown #${cluster.n} was captured yet; upload a photo or wait for it to be seen again`);
  return { embeddings: cluster.embeddings, photo };
}

export async function enrolCluster(live: LiveView, target: EnrolTarget, req: EnrolRequest): Promise<{ name: string; embeddings: number }> {
  const { embeddings, photo } = await validateEnrol(live, req);
  const name = req.name.trim();
  const all = [...embeddings];
  if (photo) {
    if (!target.embedPhoto) throw new EnrolRefused(415, 'enrol: this dashboard cannot analyse photos');
    const found = await target.embedPhoto(photo);
    if (found.length === 0) throw new EnrolRefused(422, 'enrol: no face found in the photo');
    all.push(found[0]!);
  }
  let gallery: Gallery;
  try {
    gallery = await readGallery(target.galleryFile, target.modelSha256);
  } catch (e) {
    if (!(e instanceof TierflowError && /no such gallery file/.test(e.message))) throw e;
    gallery = createGallery(target.modelSha256, []);
  }
  const existing = gallery.identities.find((i) => i.name === name);
  if (existing) existing.embeddings.push(...all);
  else gallery.identities.push({ name, embeddings: all });
  await writeGallery(target.galleryFile, gallery);
  live.markNamed(req.clusterId, name);
  return { name, embeddings: all.length };
}
