// Avro encoding of stream records, versioned. A record on a topic carries its writer's version in the
// `tierflow-schema` header (`<stream>/v<n>`); readers resolve it to their own newest version, so a reader of a newer
// schema (an added field with a default) reads older records. The schemas are the streams' own (StreamDefinition);
// with a schema registry the Confluent wire format replaces the header (./schema-registry.ts).
import avro from 'avsc';
import { HEADER_SCHEMA, type Headers } from '../backbone/contract.js';
import { TierflowError } from '../errors.js';
import type { StreamDefinition } from './stream.js';

export type AvroSchema = avro.Schema;

export function schemaHeader(stream: string, version: number): string {
  return `${stream}/v${version}`;
}

export function parseSchemaHeader(value: string): { stream: string; version: number } | null {
  const m = /^([a-z][a-z0-9-]*)\/v([0-9]+)$/.exec(value);
  return m ? { stream: m[1]!, version: Number(m[2]) } : null;
}

function undecodable(message: string, cause?: unknown): TierflowError {
  return new TierflowError('RECORD_UNDECODABLE', message, { cause });
}

/**
 * Encodes and decodes one stream's records. `versions` defaults to the stream's declared schemas; tests pass
 * a longer list to play a newer reader. Writes with the newest version; reads any version it knows.
 */
export class StreamCodec<T = unknown> {
  readonly stream: string;
  readonly version: number;
  private readonly types: avro.Type[];
  private readonly resolvers = new WeakMap<avro.Type, avro.Resolver>();

  constructor(stream: StreamDefinition<T>, versions: AvroSchema[] = stream.versions) {
    if (versions.length === 0) throw new TierflowError('INTERNAL', `no schema for stream ${stream.name}`);
    this.stream = stream.name;
    this.version = versions.length;
    // Each version gets its own registry so record names of different versions do not collide.
    this.types = versions.map((s) => avro.Type.forSchema(s, { registry: {} }));
  }

  get type(): avro.Type {
    return this.types[this.version - 1]!;
  }

  /** Avro binary of the record with the newest schema, and the header naming that version. */
  encode(record: T): { value: Uint8Array; headers: Headers } {
    return { value: this.encodeBody(record), headers: { [HEADER_SCHEMA]: schemaHeader(this.stream, this.version) } };
  }

  encodeBody(record: T): Buffer {
    try {
      return this.type.toBuffer(toAvroValue(record));
    } catch (e) {
      throw new TierflowError('INTERNAL', `a ${this.stream} record does not fit its schema: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Decodes a record; the header picks the writer's version (absent: assumed to be this codec's newest). */
  decode(value: Uint8Array, headers: Headers = {}): T {
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
  decodeWithWriter(writer: avro.Type, value: Uint8Array, writerName: string): T {
    const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    try {
      if (writer === this.type) return this.type.fromBuffer(buf) as T;
      return this.type.fromBuffer(buf, this.resolverFor(writer, writerName)) as T;
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

const codecs = new WeakMap<StreamDefinition, StreamCodec>();

/** The shared codec of a stream with its declared schemas. */
export function codecFor<T>(stream: StreamDefinition<T>): StreamCodec<T> {
  let c = codecs.get(stream as StreamDefinition);
  if (!c) codecs.set(stream as StreamDefinition, (c = new StreamCodec(stream as StreamDefinition)));
  return c as StreamCodec<T>;
}
