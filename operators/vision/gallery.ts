// The gallery file `tierflow enroll` writes and `match` reads: enrolled identities with several embeddings each,
// stamped with the recognition model's sha256 because embeddings from another model are not comparable.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { TierflowError } from '../../pipelines/errors.js';

export const EMBEDDING_SIZE = 128;

export const GallerySchema = Type.Object({
  version: Type.Literal(1),
  model: Type.Object({ name: Type.Literal('face_recognition'), sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) }),
  identities: Type.Array(
    Type.Object({
      name: Type.String({ minLength: 1 }),
      embeddings: Type.Array(Type.Array(Type.Number(), { minItems: EMBEDDING_SIZE, maxItems: EMBEDDING_SIZE })),
    }),
  ),
});

export type Gallery = Static<typeof GallerySchema>;
export type Identity = Gallery['identities'][number];

export function createGallery(modelSha256: string, identities: Identity[]): Gallery {
  return { version: 1, model: { name: 'face_recognition', sha256: modelSha256 }, identities };
}

function invalid(file: string, why: string, cause?: unknown): TierflowError {
  return new TierflowError('GALLERY_INVALID', `${file}: ${why}; rebuild it with \`tierflow enroll <dir> --gallery ${file}\``, { cause, exitCode: 2 });
}

/** Validates a gallery's text; `file` only names it in errors. */
export function parseGallery(text: string, file: string, expectedModelSha256?: string): Gallery {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalid(file, 'not JSON', e);
  }
  const first = Value.Errors(GallerySchema, json).First();
  if (first) throw invalid(file, `${first.path || '/'} ${first.message}`);
  const gallery = json as Gallery;
  const names = new Set<string>();
  for (const identity of gallery.identities) {
    if (names.has(identity.name)) throw invalid(file, `identity "${identity.name}" appears twice`);
    names.add(identity.name);
    if (identity.embeddings.some((e) => e.some((v) => !Number.isFinite(v)))) throw invalid(file, `identity "${identity.name}" has a non-finite embedding`);
  }
  if (expectedModelSha256 !== undefined && gallery.model.sha256 !== expectedModelSha256) {
    throw invalid(file, `enrolled with face_recognition ${gallery.model.sha256.slice(0, 12)}, but the installed model is ${expectedModelSha256.slice(0, 12)}`);
  }
  return gallery;
}

export async function readGallery(file: string, expectedModelSha256?: string): Promise<Gallery> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw invalid(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such gallery file' : 'cannot be read', e);
  }
  return parseGallery(text, file, expectedModelSha256);
}

/** Writes through a temporary file so a reader never sees half a gallery. */
export async function writeGallery(file: string, gallery: Gallery): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(gallery) + '\n');
  await rename(tmp, file);
}
