// Needs the built models (npm run models); enrolls real photos copied to a temporary folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { enrollGallery, identityFolders } from './enroll.js';
import { readGallery } from './gallery.js';
import { TierflowError } from '../../pipelines/errors.js';
import { sharedData } from '../../test/helpers/paths.js';

const people = join(sharedData, 'people');
const invalid = (pattern: RegExp) => (e: unknown) => e instanceof TierflowError && e.code === 'GALLERY_INVALID' && pattern.test(e.message);

void test('enroll writes one identity per folder and lists images without a face', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'enroll-'));
  try {
    await mkdir(join(dir, 'obama'));
    await mkdir(join(dir, 'amy'));
    await mkdir(join(dir, '_groups'));
    await copyFile(join(people, 'barack_obama', 'obama_small.jpg'), join(dir, 'obama', 'a.jpg'));
    await copyFile(join(people, 'barack_obama', 'obama1.jpg'), join(dir, 'obama', 'b.jpg'));
    await copyFile(join(people, 'bbt_amy', 'amy1.png'), join(dir, 'amy', 'a.png'));
    await copyFile(join(people, '_groups', 'two_people.jpg'), join(dir, '_groups', 'g.jpg'));
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).jpeg().toFile(join(dir, 'amy', 'blank.jpg'));
    await writeFile(join(dir, 'amy', 'notes.txt'), 'not an image');
    const progress: number[] = [];
    const result = await enrollGallery(dir, join(dir, 'out', 'gallery.json'), { onProgress: (p) => progress.push(p.done) });
    assert.deepEqual(progress, [1, 2, 3, 4]);
    assert.deepEqual(result.gallery.identities.map((i) => [i.name, i.embeddings.length]), [['amy', 1], ['obama', 2]]);
    assert.deepEqual(result.noFace, [join(dir, 'amy', 'blank.jpg')]);
    assert.deepEqual(await readGallery(join(dir, 'out', 'gallery.json'), result.gallery.model.sha256), result.gallery);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('a missing folder or one without identity sub-folders is GALLERY_INVALID', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'enroll-'));
  try {
    await assert.rejects(identityFolders(join(dir, 'nope')), invalid(/no such folder/));
    await mkdir(join(dir, '_groups'));
    await assert.rejects(identityFolders(dir), invalid(/no identity sub-folders/));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
