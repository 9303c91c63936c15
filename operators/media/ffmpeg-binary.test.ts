import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { isTierflowError } from '../../pipelines/errors.js';
import { ffmpegBinary, findFfmpeg, npmFfmpeg, rtspTimeoutOptionOf } from './ffmpeg-binary.js';
import { startGrab } from './frame-grabber.js';
import { resolveMediaInput } from './media-input.js';

test('FFMPEG_PATH wins, and a wrong one is one clear SOURCE_UNAVAILABLE line', () => {
  const system = findFfmpeg();
  assert.ok(system, 'an ffmpeg is available on this machine');
  assert.deepEqual(findFfmpeg({ FFMPEG_PATH: system.path, PATH: '' }), { path: system.path, from: 'FFMPEG_PATH' });
  let err: unknown;
  try {
    ffmpegBinary({ FFMPEG_PATH: '/nonexistent/ffmpeg' });
  } catch (e) {
    err = e;
  }
  assert.ok(isTierflowError(err) && err.code === 'SOURCE_UNAVAILABLE');
  assert.match(err.message, /FFMPEG_PATH=\/nonexistent\/ffmpeg/);
  assert.doesNotMatch(err.message, /\n/);
});

test('without a system ffmpeg, the one shipped by @ffmpeg-installer/ffmpeg is used', () => {
  const shipped = npmFfmpeg();
  assert.ok(shipped, '@ffmpeg-installer/ffmpeg is a dependency and ships a binary for this platform');
  assert.deepEqual(findFfmpeg({ PATH: '' }), { path: shipped, from: 'npm' });
});

test('the RTSP socket timeout option follows the binary: -timeout on ffmpeg 5+, -stimeout on the shipped ffmpeg 4', () => {
  assert.equal(rtspTimeoutOptionOf(npmFfmpeg()!), '-stimeout');
  const system = findFfmpeg()!;
  if (system.from !== 'npm') assert.match(rtspTimeoutOptionOf(system.path), /^-s?timeout$/);
});

test('the shipped ffmpeg grabs frames and fails a refused camera quickly (no listen mode)', { timeout: 60_000 }, async () => {
  const binary = ffmpegBinary({ PATH: '' });
  assert.equal(binary.from, 'npm');
  const still = startGrab(
    { input: resolveMediaInput('demo:sample4.jpg'), fps: 10, width: 160, height: 90, jpegQuality: 80, ioTimeoutMs: 1000, realtime: false, pan: { imageWidth: 1920, imageHeight: 1448, speed: 100 } },
    binary,
  );
  let frames = 0;
  for await (const f of still.frames()) {
    assert.deepEqual([...f.jpeg.subarray(0, 2)], [0xff, 0xd8]);
    if (++frames === 3) break;
  }
  await still.stop();
  assert.equal(frames, 3);

  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  const refused = startGrab(
    { input: resolveMediaInput(`rtsp://127.0.0.1:${port}/x`), fps: 5, width: 160, height: 90, jpegQuality: 80, ioTimeoutMs: 1000, realtime: false },
    binary,
  );
  for await (const _ of refused.frames()) assert.fail('no frames from a refused camera');
  const exit = await refused.exited;
  assert.equal(exit.ok, false);
  assert.match(exit.error ?? '', /refused/i);
});
