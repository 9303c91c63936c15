// How the runtime turns stream records into backbone records and back: Avro values, keyed by camera so a
// camera's records stay in order on one partition, with trace context and capture time in headers.
import type { Headers } from '../backbone/contract.js';
import type { StreamName } from '../streams/records.js';

export interface EncodedRecord {
  key: string;
  value: Uint8Array;
  headers: Headers;
}

export interface RecordCodec {
  encode(stream: StreamName, record: unknown): EncodedRecord;
  /** Throws on bytes that are not a record of the stream (the caller dead-letters them). */
  decode(stream: StreamName, value: Uint8Array): unknown;
}
