import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGallery, parseGallery, readGallery, writeGallery } from './gallery.js';
import { TierflowError } from '../../pipelines/errors.js';

const sha = 'a'.repeat(64);
const unit = (i: number) => Array.from({ length: 128 }, (_, k) => (k === i ? 1 : 0));

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof TierflowError && e.code === 'GALLERY_INVALID' && pattern.test(e.message));
}

void test('a written gallery reads back identical', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gallery-'));
  try {
    const g = createGallery(sha, [{ name: 'ada', embeddings: [unit(0), unit(1)] }]);
    await writeGallery(join(dir, 'sub', 'g.json'), g);
    assert.deepEqual(await readGallery(join(dir, 'sub', 'g.json'), sha), g);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('bad galleries give GALLERY_INVALID with the file and the reason', async () => {
  rejects(() => parseGallery('{', 'g.json'), /g\.json: not JSON/);
  rejects(() => parseGallery(JSON.stringify({ ...createGallery(sha, []), version: 2 }), 'g.json'), /version/);
  const short = createGallery(sha, [{ name: 'ada', embeddings: [[1, 2, 3]] }]);
  rejects(() => parseGallery(JSON.stringify(short), 'g.json'), /embeddings/);
  const twice = createGallery(sha, [{ name: 'ada', embeddings: [] }, { name: 'ada', embeddings: [] }]);
  rejects(() => parseGallery(JSON.stringify(twice), 'g.json'), /twice/);
  rejects(() => parseGallery(JSON.stringify(createGallery(sha, [])), 'g.json', 'b'.repeat(64)), /installed model/);
  await assert.rejects(readGallery('/nonexistent/g.json'), (e: unknown) => e instanceof TierflowError && /no such gallery file/.test(e.message));
  const dir = await mkdtemp(join(tmpdir(), 'gallery-'));
  try {
    await writeFile(join(dir, 'g.json'), 'null');
    await assert.rejects(readGallery(join(dir, 'g.json')), (e: unknown) => e instanceof TierflowError && e.code === 'GALLERY_INVALID');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
