import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamCodec, codecFor, parseSchemaHeader, type AvroSchema } from './avro.js';
import type { FrameRecord, SightingEvent } from '../../operators/streams/records.js';
import { FACE_SCHEMAS } from '../../operators/streams/schemas.js';
import { FACE_STREAMS } from '../../operators/streams/index.js';
import type { AnyStream } from './stream.js';
import { HEADER_SCHEMA } from '../backbone/contract.js';
import { TierflowError } from '../errors.js';
import { EVENTS, FRAMES } from '../../operators/streams/index.js';

const f = Math.fround;
const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

const SAMPLES: Record<string, unknown> & { events: SightingEvent; frames: FrameRecord } = {
  frames: { camera: 'door', epoch: 'e0', seq: 41, captureTs: 1_763_800_000_123, width: 640, height: 480, format: 'jpeg', data: jpeg },
  faces: {
    camera: 'door', epoch: 'e0', seq: 41, captureTs: 1_763_800_000_123, width: 640, height: 480,
    faces: [
      { index: 0, box: [10.5, 20.25, 64, 80], score: 0.93, cropBox: [0, 4, 96.5, 120], crop: jpeg, track: 3, carried: false },
      { index: 1, box: [200, 20, 60, 70], score: 0.8, cropBox: [180, 0, 100, 110], crop: new Uint8Array(0), track: 4, carried: true },
    ],
  },
  embeddings: {
    camera: 'door', epoch: 'e0', seq: 41, captureTs: 1_763_800_000_123,
    faces: [{
      index: 0, box: [10.5, 20.25, 64, 80], score: 0.93,
      landmarks: Array.from({ length: 136 }, (_, i) => f(i * 1.5)),
      embedding: Array.from({ length: 128 }, (_, i) => f(Math.sin(i) / 8)),
      track: 3,
      carried: false,
    }],
  },
  matches: {
    camera: 'door', epoch: 'e0', seq: 41, captureTs: 1_763_800_000_123,
    faces: [
      { index: 0, box: [10.5, 20.25, 64, 80], score: 0.93, identity: 'ada', distance: 0.31, clusterId: null, track: 3, carried: true },
      { index: 1, box: [200, 20, 60, 70], score: 0.81, identity: null, distance: 0.77, clusterId: 'u-7', track: 0, carried: false },
    ],
  },
  events: {
    camera: 'door', identity: 'ada', windowStart: 1_763_800_000_000, from: 1_763_800_000_000, to: 1_763_800_004_000, firstSeq: 10, lastSeq: 130,
    frames: 42, bestScore: 0.97, bestDistance: 0.28, window: 'tumbling 5s', track: 7,
  },
};

/** Decoded bytes come back as Buffers; compare them as plain bytes. */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return [...v];
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

for (const stream of FACE_STREAMS as AnyStream[]) {
  test(`avro: ${stream.name} round-trips and names its schema version`, () => {
    const codec = codecFor(stream);
    const { value, headers } = codec.encode(SAMPLES[stream.name] as never);
    assert.equal(headers[HEADER_SCHEMA], `${stream.name}/v${stream.versions.length}`);
    assert.deepEqual(plain(codec.decode(value, headers)), plain(SAMPLES[stream.name]));
  });
}

test('avro: a reader of a newer schema (added optional field) reads records of the older one', () => {
  const v1 = FACE_SCHEMAS.events[0]! as { fields: unknown[] };
  const v2 = { ...v1, fields: [...v1.fields, { name: 'zone', type: ['null', 'string'], default: null }] } as AvroSchema;
  const writer = new StreamCodec(EVENTS, [v1 as AvroSchema]);
  const reader = new StreamCodec(EVENTS, [v1 as AvroSchema, v2]);
  const { value, headers } = writer.encode(SAMPLES.events);
  assert.equal(headers[HEADER_SCHEMA], 'events/v1');
  const read = reader.decode(value, headers) as unknown as Record<string, unknown>;
  assert.equal(read.zone, null);
  assert.equal(read.identity, 'ada');
  // And the newer writer's records name v2, which the old reader refuses with a clear message.
  const newer = reader.encode({ ...SAMPLES.events, zone: 'lobby' } as never);
  assert.equal(newer.headers[HEADER_SCHEMA], 'events/v2');
  assert.throws(() => writer.decode(newer.value, newer.headers), /knows up to v1: upgrade the reader/);
});

test('avro: garbage and a wrong stream header are RECORD_UNDECODABLE', () => {
  const codec = codecFor(FRAMES);
  const err = (e: unknown) => e instanceof TierflowError && e.code === 'RECORD_UNDECODABLE';
  assert.throws(() => codec.decode(Buffer.from('not avro at all, clearly'), {}), err);
  assert.throws(() => codec.decode(codec.encode(SAMPLES.frames).value, { [HEADER_SCHEMA]: 'events/v1' }), err);
  assert.throws(() => codec.decode(new Uint8Array(0)), err);
});

test('avro: schema header parsing', () => {
  assert.deepEqual(parseSchemaHeader('faces/v3'), { stream: 'faces', version: 3 });
  assert.deepEqual(parseSchemaHeader('readings/v1'), { stream: 'readings', version: 1 });
  assert.equal(parseSchemaHeader('Nope/v1'), null);
  assert.equal(parseSchemaHeader('faces'), null);
});
