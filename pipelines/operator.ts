// The operator contract. An operator is a definition object: what it consumes and produces, where it may run,
// what it needs, and `create`, which turns validated config into a running instance. The engine (validate,
// plan, runtime, docs) reads only these fields; nothing registers itself on import.
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { SourceSpec } from './topology/schema.js';
import type { AnyStream, RecordOf, StreamDefinition } from './streams/stream.js';

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

/**
 * The keyed store the engine keeps for an operator that declares `state`: one store per assigned input partition,
 * backed by the operator's changelog topic, restored before the partition's first record is processed. While
 * `process` or `flush` runs it is the store of the partition being processed. Values are frozen when set: change a
 * value by setting a new one, so every change reaches the changelog (a mutation in place throws).
 */
export interface StateStore<V = unknown> {
  /** The input partition this store belongs to (0 in a chain fed by sources). */
  readonly partition: number;
  /** A name no other store of this operator has at the same time (`p<partition>`, or node and replica in a chain fed
   *  by sources): an id minted from a counter in this store, prefixed with it, is never minted by another owner. */
  readonly scope: string;
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): void;
  entries(): IterableIterator<[string, V]>;
  readonly size: number;
}

/** What an operator keeps in the engine's state store, declared in its definition. */
export interface StateDeclaration {
  /** Avro schema of one stored value: the changelog's records are encoded with it, and a restore decodes with it. */
  schema: object;
  /** Version of the schema; changelog records carry it, and a restore refuses a newer one. */
  version: number;
  /** The schemas of the earlier versions, v1 first: a restore reads their records as this version (Avro schema
   *  resolution: a field added since has its default). Absent: only this version's records are read. */
  previous?: object[];
}

/**
 * A table the operator reads whole and follows while it runs, as Kafka Streams' GlobalKTable: a compacted topic
 * `tierflow.<topology>.<topic>` written from outside the flow (match@1's gallery: `tierflow enroll --live`) to the
 * central cluster, and mirrored to every site the operator runs in. Every replica sees every key.
 */
export interface TableDeclaration<C> {
  /** The topic's last name part: `tierflow.<topology>.<topic>`. */
  topic: string;
  /** Whether this config follows the table; absent: always. */
  when?(config: C): boolean;
}

/**
 * What an operator that declares `table` is given as ctx.table: the table's latest value per key (tombstones
 * remove a key), replaced as changes arrive. `version` grows with every change applied, so an operator rebuilds
 * what it derives from the table only when it moved on.
 */
export interface TableView {
  readonly topic: string;
  readonly version: number;
  entries(): ReadonlyMap<string, Uint8Array>;
}

/**
 * A rule across config keys that the schema cannot say (one key bounded by another). validate runs it on a config
 * the schema accepted and reports a violation at the key it names, with file:line; the generated docs list `rule`.
 */
export interface ConfigCheck<C> {
  /** What must hold, as the docs show it: "sliding windows: slideMs <= sizeMs". */
  rule: string;
  /** A violation (the config key to point at and why), or null when the rule holds. */
  check(config: C): { key: string; message: string } | null;
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
  /** The operator's state store, when its definition declares `state` (see StateStore). */
  state?: StateStore;
  /** The table it follows, when its definition declares `table` and this config uses it; read whole before `create`. */
  table?: TableView;
  /**
   * The chain's clock for decisions by wall time (a quiet camera, an idle window): ms since epoch, standing still while
   * the chain's input cannot receive (no broker, its group rejoining), so an outage does not read as silence. The `now`
   * handed to `flush` is on it too.
   */
  now?: () => number;
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

export interface OperatorDefinition<C extends TSchema = TSchema, In extends AnyStream | null = AnyStream | null, Out extends AnyStream | null = AnyStream | null> {
  name: string;
  /** Major version: `uses: name@version` in a topology. */
  version: number;
  summary: string;
  /** Config schema: defaults, docs and validation come from here. */
  config: C;
  /** Rules across config keys, checked by validate after the schema (see ConfigCheck). */
  configChecks?: Array<ConfigCheck<Static<C>>>;
  /** What this config makes the operator do, in a line or two, for `plan --explain` (null: nothing to add). */
  explain?: (config: Static<C>) => string | null;
  /** Input stream (see StreamDefinition), or null for a source. Data classes follow from the stream. */
  input: In;
  /** Output stream, or null for a sink. */
  output: Out;
  /** A source operator: the URL schemes of the topology sources it reads (`rtsp`, `mqtt`); validate refuses a source
   *  of another scheme at its url. Absent: any. */
  sourceSchemes?: string[];
  /** A source operator: what is wrong with a source url it would read (decode@1: a demo image it does not have), for
   *  validate to report at the url; undefined when nothing is. */
  sourceProblem?(url: string): string | undefined;
  /** A source operator: whether this source is a recording read as fast as the flow takes it (decode@1: a video file,
   *  unless `realtime`). Its frames wait for room instead of being dropped as stale. Absent: every source is live. */
  recorded?(url: string, config: Static<C>): boolean;
  /** Standard tiers (device, edge, fog, cloud) the operator may run on; all four means any tier, custom names too. */
  tiers: string[];
  resources: ResourceNeeds;
  /** Estimated output bytes per input record, for the planner's link cost (sources: bytes per frame). */
  bytesPerRecord: number;
  /** The estimate for this config (a source operator: and this source) where it depends on them (decode@1: frame size
   *  from resolution, JPEG quality and scene); `bytesPerRecord` is then its value at the defaults, for the docs. */
  estimateBytes?(config: Static<C>, source?: SourceSpec): number;
  /** A transform that does not emit one record per record in (aggregate@1: one event per window): the records per
   *  second it emits, for the planner's link cost, given what comes in and from how many sources. Absent: one out
   *  per record in. */
  estimateRate?(config: Static<C>, input: { recordsPerSecond: number; sources: number }): number;
  /** A sink whose input leaves the flow on a topic of the topology, `tierflow.<topology>.<topic>`, for consumers
   *  outside tierflow (results@1: `results`); it writes there through ctx.publish. */
  publishes?: { topic: string };
  /** State the engine keeps for the operator (ctx.state), per input partition, in a changelog topic the planner derives. */
  state?: StateDeclaration;
  /** A compacted topic the operator follows (ctx.table); the planner derives it and mirrors it to its sites. */
  table?: TableDeclaration<Static<C>>;
  /** A sink that prints to the run's standard output: `tierflow run --json` merges this into its config (stdout@1:
   *  `{ format: 'json' }`), so every record is printed once, as a JSON line. */
  jsonLines?: Partial<Static<C>>;
  /** What `tierflow demo` makes for this operator before the run, when it is missing (match@1: a gallery of the
   *  people in the demo's photos). */
  prepareDemo?(config: Static<C>, demo: DemoContext): Promise<void>;
  create(
    config: Static<C>,
    ctx: OperatorContext,
  ): Promise<OperatorInstance<In extends StreamDefinition ? RecordOf<In> : never, Out extends StreamDefinition ? RecordOf<Out> : never>>;
}

/** What an operator's prepareDemo is given. */
export interface DemoContext {
  sources: SourceSpec[];
  /** The topology file's folder: relative paths in configs are relative to it. */
  topologyDir: string;
  /** One progress line for the user. */
  say(line: string): void;
}

/** Erases the generic parameters so definitions of different operators sit in one list. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperatorDefinition = OperatorDefinition<any, AnyStream | null, AnyStream | null>;

export function defineOperator<C extends TSchema, In extends AnyStream | null, Out extends AnyStream | null>(
  def: OperatorDefinition<C, In, Out>,
): OperatorDefinition<C, In, Out> {
  return def;
}

/** Whether a flow's config (schema defaults applied) follows its operator's table. */
export function followsTable(def: AnyOperatorDefinition, config: Record<string, unknown>): boolean {
  if (!def.table) return false;
  return def.table.when ? def.table.when(Value.Default(def.config, structuredClone(config)) as never) : true;
}
