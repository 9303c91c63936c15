// Avro schemas of the face flow's five streams, versioned: version n is index n-1, and a version only ever adds a
// field with a default, so a reader of a newer version reads older records.
import type { AvroSchema } from '../../pipelines/streams/avro.js';

const NS = 'dev.tierflow.streams';
// Pixel boxes come from detectors as floats; doubles keep them exact through a round trip.
const box = { type: 'array', items: 'double' } as const;
const captured = [
  { name: 'camera', type: 'string' },
  { name: 'seq', type: 'long' },
  { name: 'captureTs', type: 'long' },
] as const;

const frameV1 = {
  type: 'record',
  name: 'Frame',
  namespace: NS,
  fields: [
    ...captured,
    { name: 'width', type: 'int' },
    { name: 'height', type: 'int' },
    { name: 'format', type: { type: 'enum', name: 'FrameFormat', symbols: ['jpeg', 'rgb'] } },
    { name: 'data', type: 'bytes' },
  ],
};

const facesV1 = {
  type: 'record',
  name: 'Faces',
  namespace: NS,
  fields: [
    ...captured,
    { name: 'width', type: 'int' },
    { name: 'height', type: 'int' },
    {
      name: 'faces',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'FaceCrop',
          fields: [
            { name: 'index', type: 'int' },
            { name: 'box', type: box },
            { name: 'score', type: 'double' },
            { name: 'cropBox', type: box },
            { name: 'crop', type: 'bytes' },
          ],
        },
      },
    },
  ],
};

// Embeddings and landmarks are float32 on the wire: 128 floats instead of 128 doubles per face, and the
// model computes in float32 anyway.
const embeddingsV1 = {
  type: 'record',
  name: 'Embeddings',
  namespace: NS,
  fields: [
    ...captured,
    {
      name: 'faces',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'FaceEmbedding',
          fields: [
            { name: 'index', type: 'int' },
            { name: 'box', type: box },
            { name: 'score', type: 'double' },
            { name: 'landmarks', type: { type: 'array', items: 'float' } },
            { name: 'embedding', type: { type: 'array', items: 'float' } },
          ],
        },
      },
    },
  ],
};

const matchesV1 = {
  type: 'record',
  name: 'Matches',
  namespace: NS,
  fields: [
    ...captured,
    {
      name: 'faces',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'FaceMatch',
          fields: [
            { name: 'index', type: 'int' },
            { name: 'box', type: box },
            { name: 'score', type: 'double' },
            { name: 'identity', type: ['null', 'string'], default: null },
            { name: 'distance', type: 'double' },
            { name: 'clusterId', type: ['null', 'string'], default: null },
          ],
        },
      },
    },
  ],
};

const eventsV1 = {
  type: 'record',
  name: 'SightingEvent',
  namespace: NS,
  fields: [
    { name: 'camera', type: 'string' },
    { name: 'identity', type: 'string' },
    { name: 'from', type: 'long' },
    { name: 'to', type: 'long' },
    { name: 'firstSeq', type: 'long' },
    { name: 'lastSeq', type: 'long' },
    { name: 'frames', type: 'int' },
    { name: 'bestScore', type: 'double' },
    { name: 'bestDistance', type: 'double' },
    { name: 'window', type: 'string' },
  ],
};

/** v2 adds a field at the end, with a default so v1 records still read (the default is what v1 meant). */
function withField<S extends { fields: readonly unknown[] }>(schema: S, field: { name: string; type: string; default: unknown }): S {
  return { ...schema, fields: [...schema.fields, field] };
}
// v2 of the captured streams: the decode session's epoch, part of every record's identity (recordId).
const epoch = { name: 'epoch', type: 'string', default: '' };
// v2 of events: the window's start, part of the event's key (eventId).
const windowStart = { name: 'windowStart', type: 'long', default: 0 };

/** The same stream with fields added to the record type of its `faces` array (defaults again mean what v2 meant). */
function withFaceFields<S extends { fields: readonly unknown[] }>(schema: S, added: ReadonlyArray<{ name: string; type: string; default: unknown }>): S {
  const fields = schema.fields.map((f) => {
    const field = f as { name: string; type: { type: string; items: { fields: readonly unknown[] } } };
    if (field.name !== 'faces') return f;
    return { ...field, type: { ...field.type, items: { ...field.type.items, fields: [...field.type.items.fields, ...added] } } };
  });
  return { ...schema, fields };
}
// v3 of faces, embeddings and matches: the face's track (0: untracked) and whether its identity was carried along
// the track instead of computed from this frame (a carried face has no crop and no embedding).
const track = { name: 'track', type: 'long', default: 0 };
const carried = { name: 'carried', type: 'boolean', default: false };
// v3 of events: the track of a sighting per track (0: per identity).
const v3 = <S extends { fields: readonly unknown[] }>(v1: S) => withFaceFields(withField(v1, epoch), [track, carried]) as unknown as AvroSchema;

/** Every version of every stream's schema, oldest first; version n is index n-1. Only ever append. */
export const FACE_SCHEMAS = {
  frames: [frameV1 as AvroSchema, withField(frameV1, epoch) as AvroSchema],
  faces: [facesV1 as AvroSchema, withField(facesV1, epoch) as AvroSchema, v3(facesV1)],
  embeddings: [embeddingsV1 as AvroSchema, withField(embeddingsV1, epoch) as AvroSchema, v3(embeddingsV1)],
  matches: [matchesV1 as AvroSchema, withField(matchesV1, epoch) as AvroSchema, v3(matchesV1)],
  events: [eventsV1 as AvroSchema, withField(eventsV1, windowStart) as AvroSchema, withField(withField(eventsV1, windowStart), track) as AvroSchema],
};


