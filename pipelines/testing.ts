// Operators tested in this process, with no backbone, the way Quix Streams' sdf.test() tests a dataframe: records in,
// records out. The config is checked and defaulted as validate does (schema, then configChecks); each record an
// operator emits goes through its stream's Avro codec and back, as it would between processes, so a record that
// does not fit its declared schema fails here and not on a broker; stateful operators get a store in memory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import type { AnyOperatorDefinition, OperatorContext, OperatorInstance } from './operator.js';
import type { SourceSpec } from './topology/schema.js';
import type { AnyStream } from './streams/stream.js';
import { codecFor } from './streams/avro.js';
import { schemaProblems } from './topology/schema-problems.js';
import { memoryStateStore } from './runtime/state/store.js';
import { TierflowError } from './errors.js';

export interface TestStage {
  operator: AnyOperatorDefinition;
  /** As a topology's flow writes it; defaults fill the rest. */
  config?: Record<string, unknown>;
}

export interface TestOptions {
  /** Records per process() call (default: all of them in one batch). */
  batchSize?: number;
  /** The operators' clock (ctx.now and flush's now); default Date.now. */
  now?: () => number;
  /** Call flush(final) after the input, as a stop does (default true): windows close, buffers empty. */
  flush?: boolean;
  /** Sources of a source operator (a topology's `sources` entries). */
  sources?: SourceSpec[];
  /** A source operator runs until it has emitted this many records, or ends by itself. */
  maxRecords?: number;
  /** Folder relative config paths resolve against (ctx.baseDir); default the current folder. */
  baseDir?: string;
}

export interface TestResult<T = unknown> {
  /** What the last stage emitted (a sink: what it was given to write, and published). */
  output: T[];
  /** What each stage emitted, by position. */
  stages: unknown[][];
  logs: string[];
}

/** The config with defaults, or a TierflowError naming the first problem as validate would. */
export function testConfig(def: AnyOperatorDefinition, config: Record<string, unknown> = {}): Record<string, unknown> {
  const value = Value.Default(def.config, structuredClone(config)) as Record<string, unknown>;
  const problems = schemaProblems(def.config, value, ['config']);
  if (problems.length > 0) throw new TierflowError('BAD_ARGUMENT', `${def.name}@${def.version}: ${problems.map((p) => p.message).join('; ')}`, { exitCode: 2 });
  for (const c of def.configChecks ?? []) {
    const v = c.check(value);
    if (v) throw new TierflowError('BAD_ARGUMENT', `${def.name}@${def.version}: config.${v.key}: ${v.message} (${c.rule})`, { exitCode: 2 });
  }
  return value;
}

/** One operator: `input` through it, or for a source operator what it emits from `sources`. */
export async function testOperator<T = unknown>(operator: AnyOperatorDefinition, input: unknown[] = [], opts: TestOptions & { config?: Record<string, unknown> } = {}): Promise<TestResult<T>> {
  return testFlow<T>([{ operator, config: opts.config }], input, opts);
}

/** Stages in a row, each reading what the one before emitted (their streams must agree, as validate requires). */
export async function testFlow<T = unknown>(stages: TestStage[], input: unknown[] = [], opts: TestOptions = {}): Promise<TestResult<T>> {
  if (stages.length === 0) throw new TierflowError('BAD_ARGUMENT', 'testFlow: no stages');
  for (let i = 1; i < stages.length; i++) {
    const up = stages[i - 1]!.operator;
    const down = stages[i]!.operator;
    if (up.output === null || down.input === null || up.output.name !== down.input.name) {
      throw new TierflowError('BAD_ARGUMENT', `testFlow: ${up.name}@${up.version} writes ${up.output?.name ?? 'nothing'}, but ${down.name}@${down.version} reads ${down.input?.name ?? 'sources'}`);
    }
  }
  const now = opts.now ?? Date.now;
  const logs: string[] = [];
  const abort = new AbortController();
  const dataDir = mkdtempSync(join(tmpdir(), 'tierflow-test-'));
  const emitted: unknown[][] = stages.map(() => []);
  const instances: OperatorInstance[] = [];
  for (const [i, s] of stages.entries()) {
    const def = s.operator;
    const ctx: OperatorContext = {
      operatorId: def.name,
      node: 'test',
      tier: def.tiers[0] ?? 'edge',
      replica: 0,
      sources: def.input === null ? (opts.sources ?? []) : [],
      dataDir,
      baseDir: opts.baseDir ?? process.cwd(),
      log: (m) => logs.push(`${def.name}: ${m}`),
      signal: abort.signal,
      state: def.state ? memoryStateStore(def.name) : undefined,
      now,
      // Every stage's output crosses the codec here, as through a topic, so each stage is told it has one (as a worker
      // tells an operator whose output goes to a topic): detect then sends JPEG crops, not the raw ones a fused embed
      // reads in memory, which Avro would lose (their cropFormat is not in the schema).
      ...(def.publishes || def.output !== null ? { publish: async (records: unknown[]) => void emitted[i]!.push(...records) } : {}),
    };
    instances.push(await def.create(testConfig(def, s.config), ctx));
  }
  const codecs = stages.map((s) => (s.operator.output ? codecFor(s.operator.output as AnyStream) : null));
  /** Through the codec and back: what the next process would read. */
  const wire = (i: number, r: unknown) => {
    const c = codecs[i];
    if (!c) return r;
    const { value, headers } = c.encode(r);
    // Plain objects, as a reader compares them (Avro decodes records into instances of generated classes).
    return structuredClone(c.decode(Buffer.from(value), headers));
  };
  const batchSize = Math.max(1, opts.batchSize ?? Number.MAX_SAFE_INTEGER);

  // Hands records to stage i, and what it emits on to stage i + 1.
  const feed = async (i: number, records: unknown[]): Promise<void> => {
    const inst = instances[i]!;
    if (i >= instances.length || records.length === 0) return;
    for (let at = 0; at < records.length; at += batchSize) {
      const batch = records.slice(at, at + batchSize);
      const out: unknown[] = [];
      if (inst.kind === 'transform') await inst.process(batch, (r) => out.push(wire(i, r)));
      else if (inst.kind === 'sink') {
        await inst.write(batch);
        if (!stages[i]!.operator.publishes) emitted[i]!.push(...batch);
      }
      emitted[i]!.push(...out);
      await feed(i + 1, out);
    }
  };

  const first = instances[0]!;
  if (first.kind === 'source') {
    const out: unknown[] = [];
    await first.run(async (r) => {
      if (abort.signal.aborted) return;
      out.push(wire(0, r));
      if (opts.maxRecords !== undefined && out.length >= opts.maxRecords) abort.abort();
    }, abort.signal);
    emitted[0]!.push(...out);
    await feed(1, out);
  } else {
    await feed(0, input);
  }
  if (opts.flush ?? true) {
    for (const [i, inst] of instances.entries()) {
      if (inst.kind !== 'transform' || !inst.flush) continue;
      const out: unknown[] = [];
      await inst.flush((r) => out.push(wire(i, r)), now(), true);
      emitted[i]!.push(...out);
      await feed(i + 1, out);
    }
  }
  abort.abort();
  for (const inst of instances) await inst.close?.();
  return { output: emitted[emitted.length - 1] as T[], stages: emitted, logs };
}
