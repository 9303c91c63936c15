import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { sharedData } from '../../test/helpers/paths.js';
import { isTierflowError } from '../../pipelines/errors.js';
import type { FrameRecord } from '../streams/records.js';
import { collectFrames, decodeFor, isAlive, waitFor } from './test-support.js';
import type { SourceStatus } from './source-session.js';

const clip = join(sharedData, 'video', 'short_hamilton_clip.mp4');

function requireClip(): void {
  assert.ok(existsSync(clip), `test data missing: ${clip} (../shared/data/video is part of the CI checkout)`);
}

test('file: the 9 s clip at 5 fps gives ~46 frames, seq 0.. in order, 640x360 JPEGs, then the source ends', { timeout: 60_000 }, async () => {
  requireClip();
  const decode = await decodeFor([{ name: 'cam-1', url: `file:${clip}`, fps: 5, resolution: '640x360' }]);
  const frames: FrameRecord[] = [];
  await decode.run(async (f) => void frames.push(f), new AbortController().signal);

  assert.ok(frames.length >= 44 && frames.length <= 52, `got ${frames.length} frames`);
  assert.deepEqual(
    frames.map((f) => f.seq),
    frames.map((_, i) => i),
  );
  for (const f of frames) {
    assert.equal(f.camera, 'cam-1');
    assert.equal(f.format, 'jpeg');
    assert.ok(f.data.length > 2_000 && f.data.length < 200_000, `frame of ${f.data.length} bytes`);
  }
  const meta = await sharp(frames[10]!.data).metadata();
  assert.deepEqual([meta.width, meta.height, meta.format], [640, 360, 'jpeg']);
  assert.ok(frames.every((f, i) => i === 0 || f.captureTs >= frames[i - 1]!.captureTs));
  assert.equal(decode.state()['cam-1']!.state, 'ended');
  assert.equal(decode.state()['cam-1']!.frames, frames.length);
  assert.equal(decode.state()['cam-1']!.corruptFrames, 0);
});

test("file: with fileClock 'media' stamps frames 1/fps apart, and scales to the requested size", { timeout: 60_000 }, async () => {
  requireClip();
  const decode = await decodeFor([{ name: 'cam-1', url: `file:${clip}`, fps: 4, resolution: '320x180' }], { fileClock: 'media', durationSec: 2 });
  const frames: FrameRecord[] = [];
  await decode.run(async (f) => void frames.push(f), new AbortController().signal);
  assert.equal(frames.length, 8, 'durationSec 2 at 4 fps');
  assert.equal(frames[7]!.captureTs - frames[0]!.captureTs, 7 * 250);
  assert.equal((await sharp(frames[0]!.data).metadata()).width, 320);
});

test('demo: a virtual camera panning over a face-api sample image gives frames that change', { timeout: 60_000 }, async () => {
  const decode = await decodeFor([{ name: 'demo-1', url: 'demo:sample2.jpg', fps: 10, resolution: '320x180' }], { panSpeed: 400, durationSec: 0.8 });
  const frames: FrameRecord[] = [];
  await decode.run(async (f) => void frames.push(f), new AbortController().signal);
  assert.equal(frames.length, 8);
  const pixels = await Promise.all(frames.map((f) => sharp(f.data).raw().toBuffer()));
  const first = pixels[0]!;
  const last = pixels.at(-1)!;
  let diff = 0;
  for (let i = 0; i < first.length; i++) diff += Math.abs(first[i]! - last[i]!);
  assert.ok(diff / first.length > 5, `mean abs pixel difference ${diff / first.length} between first and last frame`);
  assert.equal(decode.state()['demo-1']!.state, 'ended');
});

test('an rtsp camera that refuses connections goes to retrying with growing backoff and never throws', { timeout: 60_000 }, async () => {
  const port = await closedPort();
  const logged: string[] = [];
  const decode = await decodeFor(
    [{ name: 'cam-dead', url: `rtsp://127.0.0.1:${port}/x` }],
    { reconnect: { initialMs: 50, maxMs: 400 }, connectTimeoutMs: 2000 },
    (m) => logged.push(m),
  );
  const run = collectFrames(decode);
  let retrying: SourceStatus | undefined;
  const outageSince = new Set<number>();
  await waitFor('five failed attempts', () => {
    const s = decode.state()['cam-dead']!;
    if (s.state === 'retrying') retrying ??= s;
    if (s.state === 'retrying' || s.attempts > 0) outageSince.add(s.since);
    return s.attempts >= 5;
  });
  // "retrying since" marks when the outage began, not the latest attempt.
  assert.equal(outageSince.size, 1, `since moved between attempts: ${[...outageSince].join(', ')}`);
  await run.stop();
  const delays = logged.map((m) => Number(/retry in (\d+) ms/.exec(m)?.[1]));
  assert.deepEqual(delays.slice(0, 5), [50, 100, 200, 400, 400]);
  assert.ok(logged.every((m) => /^source cam-dead: attempt \d+ failed, retry in \d+ ms: .*refused/i.test(m)), logged[0]);
  assert.ok(retrying, 'state() showed retrying');
  assert.match(retrying.lastError!, /refused/i);
  assert.ok(retrying.retryInMs! >= 50);
  assert.equal(decode.state()['cam-dead']!.state, 'ended');
  assert.equal(run.frames.size, 0);
});

test('an rtsp camera that accepts but never answers times out, retries, and gives up after maxAttempts', { timeout: 60_000 }, async () => {
  const sockets: Socket[] = [];
  const silent = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  try {
    const decode = await decodeFor([{ name: 'cam-mute', url: `rtsp://127.0.0.1:${port}/x` }], {
      reconnect: { initialMs: 20, maxMs: 20, maxAttempts: 2 },
      connectTimeoutMs: 1500,
    });
    await decode.run(async () => undefined, new AbortController().signal); // returns once the source failed
    const s = decode.state()['cam-mute']!;
    assert.equal(s.state, 'failed');
    assert.equal(s.attempts, 2);
    assert.ok(sockets.length >= 1, 'ffmpeg reached the silent server: this was a timeout, not a refusal');
    assert.deepEqual(decode.ffmpegPids(), []);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

test('one dead camera does not hold up a live one', { timeout: 60_000 }, async () => {
  const port = await closedPort();
  const decode = await decodeFor(
    [
      { name: 'cam-dead', url: `rtsp://127.0.0.1:${port}/x` },
      { name: 'demo-1', url: 'demo:sample1.jpg', fps: 10, resolution: '320x180' },
    ],
    { reconnect: { initialMs: 50, maxMs: 100 } },
  );
  const run = collectFrames(decode);
  await waitFor('frames from the demo camera', () => (run.frames.get('demo-1')?.length ?? 0) >= 5);
  const dead = decode.state()['cam-dead']!;
  await run.stop();
  assert.ok(['retrying', 'connecting'].includes(dead.state));
  assert.ok(dead.attempts >= 1);
});

test('close() kills every ffmpeg child and run() returns', { timeout: 60_000 }, async () => {
  const decode = await decodeFor([
    { name: 'a', url: 'demo:sample1.jpg', fps: 5, resolution: '320x180' },
    { name: 'b', url: 'demo:sample3.jpg', fps: 5, resolution: '320x180' },
  ]);
  const run = collectFrames(decode);
  await waitFor('both cameras connected', () => Object.values(decode.state()).every((s) => s.state === 'connected'));
  const pids = decode.ffmpegPids();
  assert.equal(pids.length, 2);
  assert.ok(pids.every(isAlive));
  await decode.close();
  await run.done;
  assert.deepEqual(pids.filter(isAlive), [], 'no ffmpeg left behind');
  assert.deepEqual(decode.ffmpegPids(), []);
  assert.ok(Object.values(decode.state()).every((s) => s.state === 'ended'));
});

test('ffmpeg interrupted just before a stop (Ctrl-C reaches both) ends the source instead of failing it', { timeout: 60_000 }, async () => {
  const said: string[] = [];
  const decode = await decodeFor([{ name: 'a', url: 'demo:sample1.jpg', fps: 5, resolution: '320x180' }], {}, (m) => said.push(m));
  const run = collectFrames(decode);
  await waitFor('the camera connected', () => decode.state()['a']!.state === 'connected');
  const [pid] = decode.ffmpegPids();
  process.kill(pid!, 'SIGINT');
  await new Promise((r) => setTimeout(r, 100));
  await run.stop();
  assert.equal(decode.state()['a']!.state, 'ended');
  assert.deepEqual(said.filter((m) => /failed/.test(m)), []);
});

test('a missing file fails create() with one FILE_NOT_FOUND line', async () => {
  const err = await decodeFor([{ name: 'cam-1', url: 'file:/nonexistent/clip.mp4' }]).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(isTierflowError(err) && err.code === 'FILE_NOT_FOUND', String(err));
  assert.doesNotMatch(err.message, /\n/);
});

/** A loopback port with nothing listening: bind one, note it, release it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
