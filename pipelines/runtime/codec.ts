// How the runtime turns stream records into backbone records and back: Avro values, keyed by the stream's key (a
// camera's records stay in order on one partition), with trace context, capture time and identity in headers.
import { createHash } from 'node:crypto';
import { HEADER_CAPTURE_TS, HEADER_TRACEPARENT, type Headers } from '../backbone/contract.js';
import { makeTraceparent } from '../backbone/trace.js';
import { codecFor } from '../streams/avro.js';
import type { AnyStream, StreamDefinition } from '../streams/stream.js';
import { frameWire, SchemaRegistryClient, unframeWire } from '../streams/schema-registry.js';
import type { Plan } from '../plan/types.js';

/** Every record's identity travels in a header too, so a consumer de-duplicates without decoding the value. */
export const HEADER_RECORD_ID = 'tierflow-record-id';

export interface EncodedRecord {
  key: string;
  value: Uint8Array;
  headers: Headers;
}

/** Set on a value written in the Confluent wire format, so tierflow's own readers know to take the frame off. */
export const HEADER_WIRE = 'tierflow-wire';

export interface RecordCodec {
  /** `topic`: where the record goes (a codec may write some topics differently, see withSchemaRegistry). */
  encode(stream: StreamDefinition, record: unknown, topic?: string): EncodedRecord;
  /** Throws on bytes that are not a record of the stream (the caller dead-letters them). */
  decode(stream: StreamDefinition, value: Uint8Array, headers: Headers): unknown;
}

/** Every hop of one frame shares a trace id derived from its identity, so no per-record context is carried. */
function frameTraceId(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 32);
}

/** Avro (schema version in a header), keyed by the stream's key, with traceparent, capture time and identity. */
export function avroRecordCodec(): RecordCodec {
  return {
    encode(stream, record) {
      const { value, headers } = codecFor(stream).encode(record);
      const captureTs = stream.captureTs?.(record) ?? Date.now();
      const id = stream.id(record);
      return {
        key: stream.key(record),
        value,
        headers: { ...headers, [HEADER_TRACEPARENT]: makeTraceparent({ traceId: frameTraceId(id) }), [HEADER_CAPTURE_TS]: String(captureTs), [HEADER_RECORD_ID]: id },
      };
    },
    decode: (stream, value, headers) => codecFor(stream).decode(value, headers),
  };
}

/**
 * With `backbone.schemaRegistry`, the topics tierflow publishes for consumers outside it (a publishing sink's, e.g.
 * results) carry their values in the Confluent wire format (magic 0, 4-byte schema id, Avro body), so any Confluent
 * deserializer reads them. Each such topic's schema is registered at start under `<topic>-value` (TopicNameStrategy):
 * a registry that does not answer fails the start, not a write. Topics between tierflow's own operators keep Avro
 * with the version header. The header stays on framed values too, and HEADER_WIRE says they are framed.
 */
export async function withSchemaRegistry(base: RecordCodec, plan: Pick<Plan, 'backbone' | 'topics'>, streams: ReadonlyMap<string, AnyStream>, client?: SchemaRegistryClient): Promise<RecordCodec> {
  const url = plan.backbone.type === 'kafka' ? plan.backbone.schemaRegistry : undefined;
  if (!url) return base;
  const registry = client ?? new SchemaRegistryClient(url);
  const ids = new Map<string, number>();
  for (const t of plan.topics.filter((t) => t.kind === 'results')) {
    const stream = streams.get(t.stream);
    if (stream) ids.set(t.name, await registry.register(`${t.name}-value`, JSON.stringify(codecFor(stream).type.schema())));
  }
  return {
    encode(stream, record, topic) {
      const out = base.encode(stream, record, topic);
      const id = topic === undefined ? undefined : ids.get(topic);
      return id === undefined ? out : { ...out, value: frameWire(id, out.value), headers: { ...out.headers, [HEADER_WIRE]: 'confluent' } };
    },
    decode: (stream, value, headers) => base.decode(stream, headers[HEADER_WIRE] === 'confluent' ? unframeWire(value).body : value, headers),
  };
}
