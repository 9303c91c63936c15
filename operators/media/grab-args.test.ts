import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grabArgs, panFilter, qscaleFor, type GrabSpec } from './grab-args.js';

const base: Omit<GrabSpec, 'input'> = { fps: 5, width: 640, height: 360, jpegQuality: 85, ioTimeoutMs: 5000, realtime: false };

function optionAfter(options: string[], flag: string): string | undefined {
  const i = options.indexOf(flag);
  return i < 0 ? undefined : options[i + 1];
}

test('rtsp: transport and socket timeout (microseconds) are passed to ffmpeg', () => {
  const args = grabArgs({ ...base, input: { kind: 'rtsp', url: 'rtsp://cam/1', transport: 'udp' } });
  assert.equal(args.input, 'rtsp://cam/1');
  assert.equal(optionAfter(args.inputOptions, '-rtsp_transport'), 'udp');
  assert.equal(optionAfter(args.inputOptions, '-timeout'), '5000000');
  const old = grabArgs({ ...base, input: { kind: 'rtsp', url: 'rtsp://cam/1', transport: 'tcp' } }, '-stimeout');
  assert.equal(optionAfter(old.inputOptions, '-stimeout'), '5000000', 'ffmpeg 4: -timeout would mean listen');
  assert.ok(!old.inputOptions.includes('-timeout'));
  assert.match(optionAfter(args.outputOptions, '-vf')!, /^fps=5,scale=640:360:force_original_aspect_ratio=decrease,pad=640:360/);
  assert.equal(optionAfter(args.outputOptions, '-f'), 'image2pipe');
  assert.equal(optionAfter(args.outputOptions, '-c:v'), 'mjpeg');
});

test('video: loop and realtime map to -stream_loop -1 and -re', () => {
  const plain = grabArgs({ ...base, input: { kind: 'video', path: '/v.mp4', loop: false } });
  assert.ok(!plain.inputOptions.includes('-re') && !plain.inputOptions.includes('-stream_loop'));
  const live = grabArgs({ ...base, realtime: true, input: { kind: 'video', path: '/v.mp4', loop: true } });
  assert.ok(live.inputOptions.includes('-re'));
  assert.equal(optionAfter(live.inputOptions, '-stream_loop'), '-1');
});

test('image: looped still at the target rate, cropped by a moving window', () => {
  const args = grabArgs({ ...base, input: { kind: 'image', path: '/p.jpg' }, pan: { imageWidth: 1920, imageHeight: 1280, speed: 60 } });
  assert.equal(optionAfter(args.inputOptions, '-loop'), '1');
  assert.equal(optionAfter(args.inputOptions, '-framerate'), '5');
  assert.throws(() => grabArgs({ ...base, input: { kind: 'image', path: '/p.jpg' } }));
});

test('pan window keeps the output aspect ratio and bounces over the free range on both axes', () => {
  // Largest 16:9 window in 1920x1280 is 1920x1080; 60% of it is 1152x648.
  const f = panFilter({ imageWidth: 1920, imageHeight: 1280, speed: 60 }, 640, 360);
  assert.equal(f, "crop=w=1152:h=648:x='768-abs(mod(60*t,1536)-768)':y='632-abs(mod(60*t,1264)-632)',scale=640:360");
  const still = panFilter({ imageWidth: 1920, imageHeight: 1280, speed: 0 }, 640, 360);
  assert.match(still, /x='0':y='0'/);
});

test('JPEG quality maps onto mjpeg qscale 2..31, higher quality = lower qscale', () => {
  assert.equal(qscaleFor(100), 2);
  assert.equal(qscaleFor(10), 31);
  assert.ok(qscaleFor(85) < qscaleFor(50));
});
