// The stream contract: an operator declares the records it reads and writes as a stream definition, and the engine
// learns everything it does with a stream from it: the data class (how far outward records may travel), the Avro
// schema versions records are written with and read by (reader-of-older-writer), the partition key, the record's
// identity (de-duplication) and its capture time (freshness, latency). The engine names no stream of its own.
import type { DataClass } from '../topology/schema.js';
import type avro from 'avsc';

export interface StreamDefinition<T = unknown> {
  /** Short lowercase name: topic suffix and the schema header's `<name>/v<n>`. */
  name: string;
  dataClass: DataClass;
  /** Every version of the record's Avro schema, oldest first; version n is index n-1. Only ever append. */
  versions: avro.Schema[];
  /** Partition key: records with one key stay in order on one partition. */
  key(record: T): string;
  /** The record's identity: a replay of the same input has the same id. */
  id(record: T): string;
  /** When the record's data was captured, ms since epoch (absent: when it was written). */
  captureTs?(record: T): number;
  /** Live records that go stale (a camera's frames): a chain drops those that cannot meet their source's latency
   *  bound at its gate, before the first stage that reads them, instead of working on them and arriving late. */
  perishable?: boolean;
  /** Each record sums up a window of input records rather than following one (sightings): run summaries measure
   *  end-to-end latency at the last stage before such a stream. */
  windowed?: boolean;
  /** What a run's summary lists of a record when this stream reaches its first sink: under the record's source, a
   *  label (the face flow's events: camera → identity). Absent: the summary only counts the records. */
  summary?(record: T): { source: string; label: string };
  /** Topic compression; 'none' for records already compressed (JPEG). Default 'lz4'. */
  compression?: 'none' | 'lz4';
}

/** Erases the record type so streams of different operators sit in one list. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStream = StreamDefinition<any>;

/** The record type a stream carries. */
export type RecordOf<S> = S extends StreamDefinition<infer T> ? T : never;

export function defineStream<T>(def: StreamDefinition<T>): StreamDefinition<T> {
  if (!/^[a-z][a-z0-9-]*$/.test(def.name)) throw new Error(`stream name '${def.name}' must be lowercase letters, digits and dashes`);
  if (def.versions.length === 0) throw new Error(`stream ${def.name} declares no schema`);
  return def;
}

/**
 * What the engine reads of a record of a perishable stream: which source captured it and when, so the runtime can
 * age it (freshness gate) and time it end to end. Its identity is (camera, epoch, seq): an epoch is one capture
 * session of the source, minted whenever it starts, so the identity never repeats for different data.
 */
export interface Captured {
  /** The source that captured it (a topology source's name). */
  camera: string;
  /** The capture session: time-ordered and unique. */
  epoch: string;
  /** Sequence number within the epoch, from 0. */
  seq: number;
  /** Capture time, ms since epoch. */
  captureTs: number;
}
