// The live gallery: match@1's table (`tierflow.<topology>.gallery`, compacted), one record per identity keyed by its
// name, its value the identity's embeddings and the recognition model they came from, as JSON; a tombstone removes
// the identity. `tierflow enroll --live` writes it in the central cluster; MirrorMaker 2 carries it to every site a
// match replica runs in. Names and embeddings only: never a photo.
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { createGallery, EMBEDDING_SIZE, type Gallery, type Identity } from './gallery.js';

/** The table's last name part: the topic is `tierflow.<topology>.gallery`. */
export const GALLERY_TABLE = 'gallery';

const EntrySchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  model: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  embeddings: Type.Array(Type.Array(Type.Number(), { minItems: EMBEDDING_SIZE, maxItems: EMBEDDING_SIZE }), { minItems: 1 }),
});

export function encodeGalleryEntry(modelSha256: string, identity: Identity): Uint8Array {
  return Buffer.from(JSON.stringify({ name: identity.name, model: modelSha256, embeddings: identity.embeddings }));
}

/**
 * The gallery a table holds, for the installed model: entries that cannot be read, or were enrolled with another
 * model (their embeddings are not comparable), are left out and named in `skipped`.
 */
export function galleryFromTable(entries: ReadonlyMap<string, Uint8Array>, modelSha256: string): { gallery: Gallery; skipped: string[] } {
  const identities: Identity[] = [];
  const skipped: string[] = [];
  for (const [key, value] of entries) {
    let entry: unknown;
    try {
      entry = JSON.parse(Buffer.from(value).toString('utf8'));
    } catch {
      entry = null;
    }
    if (!Value.Check(EntrySchema, entry) || entry.name !== key) skipped.push(`${key} (not a gallery entry)`);
    else if (entry.model !== modelSha256) skipped.push(`${key} (enrolled with face_recognition ${entry.model.slice(0, 12)})`);
    else identities.push({ name: entry.name, embeddings: entry.embeddings });
  }
  return { gallery: createGallery(modelSha256, identities.sort((a, b) => a.name.localeCompare(b.name))), skipped };
}
