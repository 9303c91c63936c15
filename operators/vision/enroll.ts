// The core of `tierflow enroll <dir> --gallery <file>`: one sub-folder per identity, every image in it
// contributes the embedding of its subject face. Folders starting with '_' or '.' are not identities (a place
// for group photos and the like). Images without a face, and unreadable ones, are listed, not fatal.
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { TierflowError, isTierflowError } from '../../pipelines/errors.js';
import { listModels } from '../../models/registry.js';
import { decodeRgb } from './image.js';
import { createFaceAnalyser, subjectFace, type FacesOptions } from './faces.js';
import { createGallery, writeGallery, type Gallery, type Identity } from './gallery.js';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.gif', '.avif']);

export interface EnrollProgress {
  done: number;
  total: number;
  file: string;
}

export interface EnrollResult {
  gallery: Gallery;
  /** Identities with at least one face. */
  identities: number;
  embeddings: number;
  /** Images in which no face was found. */
  noFace: string[];
  unreadable: Array<{ file: string; error: string }>;
  /** Identity folders none of whose images had a face: left out of the gallery. */
  emptyIdentities: string[];
}

/** Identity name -> its image files, sorted for a reproducible gallery. */
export async function identityFolders(dir: string): Promise<Map<string, string[]>> {
  let entries;
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new TierflowError('GALLERY_INVALID', `${dir}: no such folder; enroll expects a folder with one sub-folder of photos per identity`, { cause: e, exitCode: 2 });
  }
  const identities = new Map<string, string[]>();
  for (const entry of entries.filter((e) => e.isDirectory() && !/^[_.]/.test(e.name)).sort((a, b) => a.name.localeCompare(b.name))) {
    const files = (await readdir(join(dir, entry.name), { withFileTypes: true }))
      .filter((f) => f.isFile() && IMAGE_EXTENSIONS.has(extname(f.name).toLowerCase()))
      .map((f) => join(dir, entry.name, f.name))
      .sort();
    identities.set(entry.name, files);
  }
  if (identities.size === 0) {
    throw new TierflowError('GALLERY_INVALID', `${dir}: has no identity sub-folders; put each person's photos in a folder named after them`, { exitCode: 2 });
  }
  return identities;
}

export async function enrollGallery(
  dir: string,
  galleryFile: string,
  opts: FacesOptions & { onProgress?: (p: EnrollProgress) => void } = {},
): Promise<EnrollResult> {
  const result = await enrollIdentities(dir, opts);
  await writeGallery(galleryFile, result.gallery);
  return result;
}

/** The gallery the photos in `dir`'s identity folders make, written nowhere (`enrollGallery` writes it to a file,
 *  `tierflow enroll --live` publishes it). */
export async function enrollIdentities(dir: string, opts: FacesOptions & { onProgress?: (p: EnrollProgress) => void } = {}): Promise<EnrollResult> {
  const folders = await identityFolders(dir);
  const total = [...folders.values()].reduce((n, files) => n + files.length, 0);
  const sha = (await listModels()).find((m) => m.name === 'face_recognition')?.sha256;
  const analyser = await createFaceAnalyser(opts);
  if (!sha) throw new TierflowError('MODEL_MISSING', 'model face_recognition is not in the manifest: rebuild with `npm run models`');
  const identities: Identity[] = [];
  const result: Omit<EnrollResult, 'gallery' | 'identities' | 'embeddings'> = { noFace: [], unreadable: [], emptyIdentities: [] };
  let done = 0;
  for (const [name, files] of folders) {
    const embeddings: number[][] = [];
    for (const file of files) {
      try {
        const image = await decodeRgb(file);
        const face = subjectFace(await analyser.analyse(image), image.width, image.height);
        if (face) embeddings.push(face.embedding);
        else result.noFace.push(file);
      } catch (e) {
        if (!isTierflowError(e)) throw e;
        result.unreadable.push({ file, error: e.message });
      }
      opts.onProgress?.({ done: ++done, total, file });
    }
    if (embeddings.length > 0) identities.push({ name, embeddings });
    else result.emptyIdentities.push(name);
  }
  const gallery = createGallery(sha, identities);
  return { gallery, identities: identities.length, embeddings: identities.reduce((n, i) => n + i.embeddings.length, 0), ...result };
}
