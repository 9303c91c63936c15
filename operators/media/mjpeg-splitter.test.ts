import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import sharp from 'sharp';
import { ffmpegPath } from './ffmpeg-binary.js';
import { MjpegSplitter } from './mjpeg-splitter.js';

const FRAMES = 12;
/** Real image2pipe output: ffmpeg's test pattern, 12 frames of 320x240 MJPEG. */
const stream = execFileSync(
  ffmpegPath(),
  ['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=size=320x240:rate=10`, '-frames:v', String(FRAMES),
    '-vf', 'format=yuvj420p', '-c:v', 'mjpeg', '-q:v', '5', '-f', 'image2pipe', '-'],
  { maxBuffer: 64 * 1024 * 1024 },
);

function splitInChunks(data: Buffer, size: number, splitter = new MjpegSplitter()): Buffer[] {
  const frames: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) frames.push(...splitter.push(data.subarray(i, i + size)));
  return frames;
}

for (const size of [1, 2, 7, 333, 4096, 65536, stream.length]) {
  test(`splits real ffmpeg MJPEG into whole JPEGs, chunks of ${size} bytes`, async () => {
    const frames = splitInChunks(stream, size);
    assert.equal(frames.length, FRAMES);
    assert.deepEqual(Buffer.concat(frames), stream, 'image2pipe output is JPEGs back to back, nothing lost or added');
    for (const frame of frames) {
      assert.deepEqual([...frame.subarray(0, 2)], [0xff, 0xd8]);
      assert.deepEqual([...frame.subarray(-2)], [0xff, 0xd9]);
    }
    const meta = await sharp(frames[FRAMES - 1]!).metadata();
    assert.equal(meta.width, 320);
    assert.equal(meta.height, 240);
  });
}

test('a frame inside one chunk is a view of that chunk, not a copy', () => {
  const frames = new MjpegSplitter().push(stream);
  assert.equal(frames[0]!.buffer, stream.buffer);
});

/** The first frame, with an APP1 segment inserted after SOI that holds a whole JPEG (as an EXIF thumbnail does). */
function withThumbnail(jpeg: Buffer, thumbnail: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from('Exif\0\0'), thumbnail]);
  const header = Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  return Buffer.concat([jpeg.subarray(0, 2), header, body, jpeg.subarray(2)]);
}

test('EOI bytes inside an APP segment (an EXIF thumbnail) do not end the frame', async () => {
  const [first, second] = new MjpegSplitter().push(stream);
  const big = withThumbnail(first!, second!);
  const frames = splitInChunks(Buffer.concat([big, second!]), 100);
  assert.equal(frames.length, 2);
  assert.deepEqual(frames[0], big);
  assert.equal((await sharp(frames[0]!).metadata()).width, 320);
});

test('garbage between frames is skipped; a truncated frame is dropped and the frames after it kept', () => {
  const [a, ...rest] = new MjpegSplitter().push(stream);
  // Cut inside a header segment: the next frame's SOI is then read as a 64 KB segment length, so recovery
  // must come from rescanning once the structure breaks, not from the skipped bytes.
  const truncated = a!.subarray(0, 40);
  const splitter = new MjpegSplitter();
  const input = Buffer.concat([Buffer.from('noise\xff\x00'), a!, Buffer.from([1, 2, 3]), truncated, ...rest]);
  const frames = splitInChunks(input, 50, splitter);
  assert.deepEqual(frames, [a, ...rest]);
  assert.ok(splitter.dropped >= 1);
});

test('an endless frame is dropped once it exceeds maxFrameBytes', () => {
  const [a] = new MjpegSplitter().push(stream);
  const splitter = new MjpegSplitter({ maxFrameBytes: a!.length * 2 });
  // No EOI, and then entropy-like bytes without markers, as from a stuck encoder.
  const endless = Buffer.concat([a!.subarray(0, a!.length - 2), Buffer.alloc(a!.length * 3, 0x11)]);
  assert.deepEqual(splitInChunks(endless, 100, splitter), []);
  assert.equal(splitter.dropped, 1);
  assert.ok(splitter.pending <= a!.length * 2);
  assert.equal(splitInChunks(a!, 100, splitter).length, 1, 'resynchronises on the next frame');
});

test('a frame cut short by the start of the next one is dropped, and the next one kept', () => {
  const [a, b] = new MjpegSplitter().push(stream);
  const cut = a!.subarray(0, Math.floor(a!.length / 2)); // ends inside the entropy-coded data
  const splitter = new MjpegSplitter();
  const frames = splitInChunks(Buffer.concat([cut, b!]), 64, splitter);
  assert.deepEqual(frames, [b]);
  assert.equal(splitter.dropped, 1);
});
