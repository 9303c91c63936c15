// Confluent wire format for when a topology configures `backbone.schemaRegistry`: each value is
//   byte 0: magic 0 | bytes 1-4: schema id, big-endian | Avro binary
// The schema is registered under the subject `<topic>-value` (TopicNameStrategy), and readers fetch the
// writer's schema by id, then resolve it to their own newest version.
import avro from 'avsc';
import { TierflowError } from '../errors.js';
import type { StreamDefinition } from './stream.js';
import { codecFor, type StreamCodec } from './avro.js';

export const WIRE_MAGIC = 0;

export function frameWire(schemaId: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + body.byteLength);
  out.writeUInt8(WIRE_MAGIC, 0);
  out.writeUInt32BE(schemaId, 1);
  out.set(body, 5);
  return out;
}

export function unframeWire(value: Uint8Array): { schemaId: number; body: Uint8Array } {
  const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (buf.byteLength < 5 || buf.readUInt8(0) !== WIRE_MAGIC) {
    throw new TierflowError('RECORD_UNDECODABLE', 'value is not in the Confluent wire format (magic byte 0 + 4-byte schema id)');
  }
  return { schemaId: buf.readUInt32BE(1), body: buf.subarray(5) };
}

/** The two registry calls tierflow needs, cached: register a schema under a subject, fetch a schema by id. */
export class SchemaRegistryClient {
  private readonly ids = new Map<string, Promise<number>>();
  private readonly schemas = new Map<number, Promise<string>>();

  constructor(
    private readonly url: string,
    private readonly fetchFn: typeof fetch = fetch,
    private readonly timeoutMs = 10_000,
  ) {}

  register(subject: string, schema: string): Promise<number> {
    const key = `${subject}\n${schema}`;
    let p = this.ids.get(key);
    if (!p) {
      p = this.call<{ id: number }>(`/subjects/${encodeURIComponent(subject)}/versions`, {
        method: 'POST',
        body: JSON.stringify({ schema }),
      }).then((r) => r.id);
      p.catch(() => this.ids.delete(key));
      this.ids.set(key, p);
    }
    return p;
  }

  schemaById(id: number): Promise<string> {
    let p = this.schemas.get(id);
    if (!p) {
      p = this.call<{ schema: string }>(`/schemas/ids/${id}`, { method: 'GET' }).then((r) => r.schema);
      p.catch(() => this.schemas.delete(id));
      this.schemas.set(id, p);
    }
    return p;
  }

  private async call<T>(path: string, init: RequestInit): Promise<T> {
    const target = this.url.replace(/\/+$/, '') + path;
    let res: Response;
    try {
      res = await this.fetchFn(target, {
        ...init,
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', accept: 'application/vnd.schemaregistry.v1+json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new TierflowError('BROKER_UNREACHABLE', `schema registry ${this.url} unreachable: ${(e as Error).message}`, { cause: e, retriable: true });
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new TierflowError('BAD_ARGUMENT', `schema registry ${target} answered ${res.status}: ${text.slice(0, 200)}`, { retriable: res.status >= 500 });
    }
    return (await res.json()) as T;
  }
}

/** Encodes/decodes a stream's records on a topic in the Confluent wire format. */
export class RegistryStreamCodec<T> {
  private readonly writers = new Map<number, Promise<avro.Type>>();

  constructor(
    private readonly registry: SchemaRegistryClient,
    private readonly codec: StreamCodec<T>,
  ) {}

  static forStream<T>(registry: SchemaRegistryClient, stream: StreamDefinition<T>): RegistryStreamCodec<T> {
    return new RegistryStreamCodec(registry, codecFor(stream));
  }

  async encode(topic: string, record: T): Promise<Buffer> {
    const id = await this.registry.register(`${topic}-value`, JSON.stringify(this.codec.type.schema()));
    return frameWire(id, this.codec.encodeBody(record));
  }

  async decode(value: Uint8Array): Promise<T> {
    const { schemaId, body } = unframeWire(value);
    const writer = await this.writerType(schemaId);
    return this.codec.decodeWithWriter(writer, body, `registry schema ${schemaId}`);
  }

  private writerType(id: number): Promise<avro.Type> {
    let p = this.writers.get(id);
    if (!p) {
      p = this.registry.schemaById(id).then((s) => avro.Type.forSchema(JSON.parse(s) as avro.Schema, { registry: {} }));
      p.catch(() => this.writers.delete(id));
      this.writers.set(id, p);
    }
    return p;
  }
}
