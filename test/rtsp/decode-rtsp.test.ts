// decode against a real RTSP server: two cameras published from the clip, read over TCP and UDP; one camera
// drops and comes back while the other keeps delivering.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { collectFrames, decodeFor, isAlive, waitFor } from '../../operators/decode/test-support.js';
import { sharedData } from '../helpers/paths.js';
import { publishCameras, startRtspServer, stopAll, type Publisher, type RtspServer } from '../helpers/rtsp.js';

const clip = join(sharedData, 'video', 'short_hamilton_clip.mp4');
let server: RtspServer;
let cameras: Publisher[];

before(async () => {
  assert.ok(existsSync(clip), `test data missing: ${clip} (../shared/data/video is part of the CI checkout)`);
  server = await startRtspServer();
  cameras = await publishCameras(server, clip, 2);
});

after(stopAll);

test('two RTSP cameras over TCP and one over UDP; a dropped camera reconnects while the other keeps going', { timeout: 120_000 }, async () => {
  const [cam1, cam2] = cameras;
  const decode = await decodeFor(
    [
      { name: 'cam1-tcp', url: cam1!.url, transport: 'tcp', fps: 5, resolution: '320x180' },
      { name: 'cam2-tcp', url: cam2!.url, transport: 'tcp', fps: 5, resolution: '320x180' },
      { name: 'cam1-udp', url: cam1!.url, transport: 'udp', fps: 5, resolution: '320x180' },
    ],
    { reconnect: { initialMs: 200, maxMs: 1000 }, connectTimeoutMs: 5000 },
  );
  const run = collectFrames(decode);
  const count = (camera: string) => run.frames.get(camera)?.length ?? 0;
  try {
    await waitFor('5 frames from every camera', () => ['cam1-tcp', 'cam2-tcp', 'cam1-udp'].every((c) => count(c) >= 5), 30_000);
    assert.ok(Object.values(decode.state()).every((s) => s.state === 'connected'));

    await cam2!.stop();
    await waitFor('cam2 to notice the drop', () => decode.state()['cam2-tcp']!.state === 'retrying', 30_000);
    const cam1AtDrop = count('cam1-tcp');
    await waitFor('cam1 to keep delivering while cam2 is down', () => count('cam1-tcp') >= cam1AtDrop + 5, 30_000);
    await waitFor('cam2 to fail a reconnect while it is gone', () => decode.state()['cam2-tcp']!.attempts >= 2, 30_000);
    assert.notEqual(decode.state()['cam2-tcp']!.state, 'connected', 'nothing publishes cam2 now');
    const cam2WhileDown = count('cam2-tcp');
    assert.match(decode.state()['cam2-tcp']!.lastError ?? '', /\S/);

    await cam2!.restart();
    await waitFor('cam2 connected again with new frames', () => decode.state()['cam2-tcp']!.state === 'connected' && count('cam2-tcp') > cam2WhileDown + 3, 30_000);
    assert.equal(decode.state()['cam2-tcp']!.attempts, 0, 'a delivered frame resets the attempt count');
  } finally {
    const pids = decode.ffmpegPids();
    await run.stop();
    assert.deepEqual(pids.filter(isAlive), [], 'no ffmpeg left behind');
  }

  for (const [camera, frames] of run.frames) {
    assert.deepEqual(
      frames.map((f) => f.seq),
      frames.map((_, i) => i),
      `${camera}: seq runs from 0 without gaps, across the reconnect`,
    );
    assert.ok(frames.every((f) => f.width === 320 && f.height === 180 && f.data[0] === 0xff && f.data[1] === 0xd8));
  }
});
