// How the runtime turns stream records into backbone records and back: Avro values, keyed by the stream's key (a
// camera's records stay in order on one partition), with trace context, capture time and identity in headers.
import { createHash } from 'node:crypto';
import { HEADER_CAPTURE_TS, HEADER_TRACEPARENT, type Headers } from '../backbone/contract.js';
import { makeTraceparent } from '../backbone/trace.js';
import { codecFor } from '../streams/avro.js';
import type { StreamDefinition } from '../streams/stream.js';

/** Every record's identity travels in a header too, so a consumer de-duplicates without decoding the value. */
export const HEADER_RECORD_ID = 'tierflow-record-id';

export interface EncodedRecord {
  key: string;
  value: Uint8Array;
  headers: Headers;
}

export interface RecordCodec {
  encode(stream: StreamDefinition, record: unknown): EncodedRecord;
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
