// How the runtime turns stream records into backbone records and back: Avro values, keyed by camera so a
// camera's records stay in order on one partition, with trace context and capture time in headers.
import { createHash } from 'node:crypto';
import { HEADER_CAPTURE_TS, HEADER_TRACEPARENT, type Headers } from '../backbone/contract.js';
import { makeTraceparent } from '../backbone/trace.js';
import { codecFor } from '../streams/avro.js';
import type { Captured, SightingEvent, StreamName } from '../streams/records.js';

export interface EncodedRecord {
  key: string;
  value: Uint8Array;
  headers: Headers;
}

export interface RecordCodec {
  encode(stream: StreamName, record: unknown): EncodedRecord;
  /** Throws on bytes that are not a record of the stream (the caller dead-letters them). */
  decode(stream: StreamName, value: Uint8Array, headers: Headers): unknown;
}

/** Every hop of one frame shares a trace id derived from (camera, seq), so no per-record context is carried. */
function frameTraceId(camera: string, seq: number): string {
  return createHash('sha256').update(`${camera}\0${seq}`).digest('hex').slice(0, 32);
}

/** Avro (schema version in a header), keyed by camera, with traceparent and capture time. */
export function avroRecordCodec(): RecordCodec {
  return {
    encode(stream, record) {
      const { value, headers } = codecFor(stream).encode(record as never);
      const r = record as Partial<Captured & SightingEvent>;
      const camera = r.camera ?? '';
      const seq = r.seq ?? r.firstSeq ?? 0;
      const captureTs = r.captureTs ?? r.to ?? Date.now();
      return {
        key: camera,
        value,
        headers: { ...headers, [HEADER_TRACEPARENT]: makeTraceparent({ traceId: frameTraceId(camera, seq) }), [HEADER_CAPTURE_TS]: String(captureTs) },
      };
    },
    decode: (stream, value, headers) => codecFor(stream).decode(value, headers),
  };
}
