import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isTierflowError } from '../errors.js';
import { demoImageDir, demoImages, redactUrl, resolveMediaInput } from './media-input.js';

test('rtsp and rtsps URLs keep the transport', () => {
  assert.deepEqual(resolveMediaInput('rtsp://127.0.0.1:8554/cam1', { transport: 'udp' }), {
    kind: 'rtsp',
    url: 'rtsp://127.0.0.1:8554/cam1',
    transport: 'udp',
  });
  assert.equal(resolveMediaInput('rtsps://h/x').kind, 'rtsp');
});

test('demo: names a sample image that @vladmandic/face-api ships', () => {
  assert.ok(demoImages().includes('sample1.jpg'));
  const input = resolveMediaInput('demo:sample1.jpg');
  assert.deepEqual(input, { kind: 'image', path: join(demoImageDir(), 'sample1.jpg') });
  assert.ok(existsSync(join(demoImageDir(), 'sample1.jpg')));
});

test('file: resolves relative paths against baseDir and tells videos from images', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tierflow-media-'));
  try {
    writeFileSync(join(dir, 'clip.mp4'), '');
    writeFileSync(join(dir, 'still.PNG'), '');
    assert.deepEqual(resolveMediaInput('file:clip.mp4', { baseDir: dir, loop: true }), { kind: 'video', path: join(dir, 'clip.mp4'), loop: true });
    assert.equal(resolveMediaInput(`file:${join(dir, 'still.PNG')}`).kind, 'image');
    assert.equal(resolveMediaInput(`file://${join(dir, 'clip.mp4')}`).kind, 'video');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('missing files and unknown demo images fail with one line naming what to use', () => {
  const missing = (() => {
    try {
      resolveMediaInput('file:/nonexistent/clip.mp4');
    } catch (e) {
      return e;
    }
  })();
  assert.ok(isTierflowError(missing) && missing.code === 'FILE_NOT_FOUND');
  assert.throws(() => resolveMediaInput('demo:nope.jpg'), /sample1\.jpg/);
  assert.throws(() => resolveMediaInput('demo:../package.json'), /no demo image/);
  assert.throws(() => resolveMediaInput('http://x/y'), /rtsp:\/\/, rtsps:\/\/, file: or demo:/);
});

test('passwords in camera URLs are redacted for display', () => {
  assert.equal(redactUrl('rtsp://admin:s3cret@10.0.0.5/stream'), 'rtsp://admin:***@10.0.0.5/stream');
  assert.equal(redactUrl('rtsp://10.0.0.5/stream'), 'rtsp://10.0.0.5/stream');
});
