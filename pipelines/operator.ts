// The operator contract. An operator is a definition object: what it consumes and produces, where it may run,
// what it needs, and `create`, which turns validated config into a running instance. The engine (validate,
// plan, runtime, docs) reads only these fields; nothing registers itself on import.
import type { Static, TSchema } from '@sinclair/typebox';
import type { SourceSpec } from './topology/schema.js';
import type { StreamName, StreamRecordTypes } from './streams/records.js';

export interface ResourceNeeds {
  /** Cores one replica keeps busy at its nominal rate. */
  cpu: number;
  /** Resident memory one replica needs, in MB. */
  memoryMB: number;
  /** An accelerator the node must have, e.g. 'gpu'. */
  accelerator?: string;
  /** Architectures the implementation runs on. */
  arch: Array<'amd64' | 'arm64'>;
}

export interface OperatorContext {
  /** The flow id of this operator instance in the topology. */
  operatorId: string;
  node: string;
  tier: string;
  /** Replica index, 0-based. */
  replica: number;
  /** Sources this instance reads (decode and other source operators only). */
  sources: SourceSpec[];
  /** Folder for the operator's persistent files (caches, state). */
  dataDir: string;
  /** Folder of the topology file: relative paths in config (a gallery) resolve against it. */
  baseDir: string;
  log: (message: string) => void;
  signal: AbortSignal;
  /** Sinks that write to the backbone (results) publish to their planned topic through this; acked on resolve. */
  publish?: (records: unknown[]) => Promise<void>;
}

export type Emit<T> = (record: T) => void;

/** Produces records from outside tierflow until its sources end or the signal aborts. */
export interface SourceInstance<Out> {
  kind: 'source';
  run(emit: (record: Out) => Promise<void>, signal: AbortSignal): Promise<void>;
  /** Per-source connection state for status displays. */
  state?(): Record<string, { state: 'connecting' | 'connected' | 'retrying' | 'ended' | 'failed'; since: number; detail?: string }>;
  close?(): Promise<void>;
}

/** Turns input records into zero or more output records; batches are as large as the runtime finds useful. */
export interface TransformInstance<In, Out> {
  kind: 'transform';
  process(batch: In[], emit: Emit<Out>): Promise<void>;
  /** Called on a timer and at end of stream: emit what windows or buffers hold. */
  flush?(emit: Emit<Out>, now: number, final: boolean): Promise<void>;
  close?(): Promise<void>;
}

/** Writes records out of the flow (stdout, a results topic). */
export interface SinkInstance<In> {
  kind: 'sink';
  write(batch: In[]): Promise<void>;
  close?(): Promise<void>;
}

export type OperatorInstance<In = unknown, Out = unknown> = SourceInstance<Out> | TransformInstance<In, Out> | SinkInstance<In>;

export interface OperatorDefinition<C extends TSchema = TSchema, In extends StreamName | null = StreamName | null, Out extends StreamName | null = StreamName | null> {
  name: string;
  /** Major version: `uses: name@version` in a topology. */
  version: number;
  summary: string;
  /** Config schema: defaults, docs and validation come from here. */
  config: C;
  /** Input stream, or null for a source. Data classes follow from the stream (STREAM_CLASS). */
  input: In;
  /** Output stream, or null for a sink. */
  output: Out;
  /** Tiers the operator may run on. */
  tiers: string[];
  resources: ResourceNeeds;
  /** Estimated output bytes per input record, for the planner's link cost (sources: bytes per frame). */
  bytesPerRecord: number;
  create(
    config: Static<C>,
    ctx: OperatorContext,
  ): Promise<OperatorInstance<In extends StreamName ? StreamRecordTypes[In] : never, Out extends StreamName ? StreamRecordTypes[Out] : never>>;
}

/** Erases the generic parameters so definitions of different operators sit in one list. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperatorDefinition = OperatorDefinition<any, StreamName | null, StreamName | null>;

export function defineOperator<C extends TSchema, In extends StreamName | null, Out extends StreamName | null>(
  def: OperatorDefinition<C, In, Out>,
): OperatorDefinition<C, In, Out> {
  return def;
}
