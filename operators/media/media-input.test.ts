import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isTierflowError } from '../../pipelines/errors.js';
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

test('${env:NAME} in a source URL is resolved where the source is opened; an unset one is one line naming it', () => {
  const env = { CAM_PASS: 's3cret', CAM_URL: 'rtsp://10.0.0.9/live' };
  assert.deepEqual(resolveMediaInput('rtsp://admin:${env:CAM_PASS}@10.0.0.5/stream1', { env }), { kind: 'rtsp', url: 'rtsp://admin:s3cret@10.0.0.5/stream1', transport: 'tcp' });
  assert.deepEqual(resolveMediaInput('${env:CAM_URL}', { env }), { kind: 'rtsp', url: 'rtsp://10.0.0.9/live', transport: 'tcp' });
  assert.throws(
    () => resolveMediaInput('rtsp://admin:${env:NOPE}@10.0.0.5/s', { env }),
    (e: unknown) => e instanceof Error && /refers to \$\{env:NOPE\}, but NOPE is not set/.test(e.message) && !e.message.includes('s3cret'),
  );
});
