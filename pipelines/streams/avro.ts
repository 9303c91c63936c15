// Avro schemas of the five streams, versioned. A record on a topic carries its writer's version in the
// `tierflow-schema` header (`<stream>/v<n>`); readers resolve it to their own newest version, so a reader
// of a newer schema (an added field with a default) reads older records. With a schema registry the
// Confluent wire format replaces the header (./schema-registry.ts).
import avro from 'avsc';
import { HEADER_SCHEMA, type Headers } from '../backbone/contract.js';
import { TierflowError } from '../errors.js';
import type { StreamName, StreamRecordTypes } from './records.js';

export type AvroSchema = avro.Schema;

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

/** Every version of every stream's schema, oldest first; version n is index n-1. Only ever append. */
export const STREAM_SCHEMAS: Record<StreamName, AvroSchema[]> = {
  frames: [frameV1 as AvroSchema],
  faces: [facesV1 as AvroSchema],
  embeddings: [embeddingsV1 as AvroSchema],
  matches: [matchesV1 as AvroSchema],
  events: [eventsV1 as AvroSchema],
};

export const STREAM_NAMES = Object.keys(STREAM_SCHEMAS) as StreamName[];

export function schemaHeader(stream: StreamName, version: number): string {
  return `${stream}/v${version}`;
}

export function parseSchemaHeader(value: string): { stream: StreamName; version: number } | null {
  const m = /^([a-z]+)\/v([0-9]+)$/.exec(value);
  if (!m || !(m[1]! in STREAM_SCHEMAS)) return null;
  return { stream: m[1] as StreamName, version: Number(m[2]) };
}

function undecodable(message: string, cause?: unknown): TierflowError {
  return new TierflowError('RECORD_UNDECODABLE', message, { cause });
}

/**
 * Encodes and decodes one stream's records. `versions` defaults to the stream's published schemas; tests pass
 * a longer list to play a newer reader. Writes with the newest version; reads any version it knows.
 */
export class StreamCodec<S extends StreamName> {
  readonly stream: S;
  readonly version: number;
  private readonly types: avro.Type[];
  private readonly resolvers = new WeakMap<avro.Type, avro.Resolver>();

  constructor(stream: S, versions: AvroSchema[] = STREAM_SCHEMAS[stream]) {
    if (versions.length === 0) throw new TierflowError('INTERNAL', `no schema for stream ${stream}`);
    this.stream = stream;
    this.version = versions.length;
    // Each version gets its own registry so record names of different versions do not collide.
    this.types = versions.map((s) => avro.Type.forSchema(s, { registry: {} }));
  }

  get type(): avro.Type {
    return this.types[this.version - 1]!;
  }

  /** Avro binary of the record with the newest schema, and the header naming that version. */
  encode(record: StreamRecordTypes[S]): { value: Uint8Array; headers: Headers } {
    return { value: this.encodeBody(record), headers: { [HEADER_SCHEMA]: schemaHeader(this.stream, this.version) } };
  }

  encodeBody(record: StreamRecordTypes[S]): Buffer {
    try {
      return this.type.toBuffer(toAvroValue(record));
    } catch (e) {
      throw new TierflowError('INTERNAL', `a ${this.stream} record does not fit its schema: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Decodes a record; the header picks the writer's version (absent: assumed to be this codec's newest). */
  decode(value: Uint8Array, headers: Headers = {}): StreamRecordTypes[S] {
    const raw = headers[HEADER_SCHEMA];
    let version = this.version;
    if (raw !== undefined) {
      const parsed = parseSchemaHeader(raw);
      if (!parsed || parsed.stream !== this.stream) throw undecodable(`record has schema '${raw}', expected ${this.stream}/v1..v${this.version}`);
      version = parsed.version;
    }
    if (version < 1 || version > this.version) {
      throw undecodable(`record written with ${this.stream}/v${version}; this reader knows up to v${this.version}: upgrade the reader`);
    }
    return this.decodeWithWriter(this.types[version - 1]!, value, `${this.stream}/v${version}`);
  }

  /** Decodes bytes written with `writer` (from a registry, say) into this codec's newest version. */
  decodeWithWriter(writer: avro.Type, value: Uint8Array, writerName: string): StreamRecordTypes[S] {
    const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    try {
      if (writer === this.type) return this.type.fromBuffer(buf) as StreamRecordTypes[S];
      return this.type.fromBuffer(buf, this.resolverFor(writer, writerName)) as StreamRecordTypes[S];
    } catch (e) {
      throw undecodable(`not a ${writerName} record: ${(e as Error).message}`, e);
    }
  }

  private resolverFor(writer: avro.Type, writerName: string): avro.Resolver {
    let resolver = this.resolvers.get(writer);
    if (resolver) return resolver;
    try {
      resolver = this.type.createResolver(writer);
    } catch (e) {
      throw undecodable(`${writerName} cannot be read as ${this.stream}/v${this.version}: ${(e as Error).message}`, e);
    }
    this.resolvers.set(writer, resolver);
    return resolver;
  }
}

/** avsc wants Buffers for `bytes`; records carry Uint8Arrays. Copies nothing when a Buffer view suffices. */
function toAvroValue(v: unknown): unknown {
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) return v.some((x) => typeof x === 'object' && x !== null) ? v.map(toAvroValue) : v;
  if (typeof v === 'object' && v !== null && !Buffer.isBuffer(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toAvroValue(x);
    return out;
  }
  return v;
}

const codecs = new Map<StreamName, StreamCodec<StreamName>>();

/** The shared codec of a stream with its published schemas. */
export function codecFor<S extends StreamName>(stream: S): StreamCodec<S> {
  let c = codecs.get(stream);
  if (!c) codecs.set(stream, (c = new StreamCodec(stream)));
  return c as unknown as StreamCodec<S>;
}
