import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { SightingEvent } from '../streams/records.js';
import { createStdoutSink } from './create.js';
import { formatSightingText } from './format.js';

const event: SightingEvent = {
  camera: 'cam-1',
  identity: 'Lin-Manuel Miranda',
  windowStart: 0,
  from: Date.UTC(2026, 0, 5, 12, 1, 3, 400),
  to: Date.UTC(2026, 0, 5, 12, 1, 8, 900),
  firstSeq: 10,
  lastSeq: 23,
  frames: 14,
  bestScore: 0.93,
  bestDistance: 0.3114,
  window: 'tumbling 10s',
  track: 0,
};

test('text: camera, identity, time span, frames and best distance on one line', () => {
  assert.equal(
    formatSightingText(event, { timeZone: 'UTC' }),
    'cam-1     Lin-Manuel Miranda    12:01:03–12:01:08  14 frames  best 0.31',
  );
  assert.match(formatSightingText({ ...event, frames: 1 }, { timeZone: 'UTC' }), / 1 frame +best/);
  assert.match(formatSightingText({ ...event, track: 3 }, { timeZone: 'UTC' }), /best 0\.31 {2}track 3$/);
});

async function written(format: 'text' | 'json', batches: SightingEvent[][]): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const sink = createStdoutSink({ format }, out);
  for (const b of batches) await sink.write(b);
  return Buffer.concat(chunks).toString('utf8');
}

test('json: one parseable line per event, every field kept', async () => {
  const text = await written('json', [[event, { ...event, camera: 'cam-2' }], []]);
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.deepEqual(JSON.parse(lines[0]!), event);
  assert.equal((JSON.parse(lines[1]!) as SightingEvent).camera, 'cam-2');
});

test('text sink writes one line per event', async () => {
  const text = await written('text', [[event], [event, event]]);
  assert.equal(text.split('\n').filter(Boolean).length, 3);
  assert.ok(text.split('\n').filter(Boolean).every((l) => l.includes('Lin-Manuel Miranda')));
});

test('a full stream makes write() wait for drain instead of buffering without bound', async () => {
  const out = new PassThrough({ highWaterMark: 16 });
  const sink = createStdoutSink({ format: 'json' }, out);
  let done = false;
  const pending = sink.write([event]).then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false, 'still waiting: nobody read the stream');
  out.resume();
  await pending;
  assert.equal(done, true);
});
