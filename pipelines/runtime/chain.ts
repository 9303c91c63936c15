// One replica of a fused chain: its operators run as overlapping stages; records enter from sources (through a
// freshness queue) or from the chain's input topic, and leave through output topics, sinks, or both.
// A wave's input offsets are committed by its checkpoint (waves.ts), in wave order. A graceful stop checkpoints
// what is in flight before the consumer leaves its group.
import { dirname } from 'node:path';
import type { Chain, Plan } from '../plan/types.js';
import type { AnyOperatorDefinition, OperatorContext, OperatorInstance, SourceInstance } from '../operator.js';
import type { Backbone, Consumer, ConsumedRecord, ConsumerOptions, Producer } from '../backbone/contract.js';
import type { Captured } from '../streams/stream.js';
import type { AnyStream } from '../streams/stream.js';
import { TierflowError } from '../errors.js';
import { createStagePipeline, type StagePipeline } from './stages.js';
import { createThreadedTransform } from './threaded.js';
import { FreshFrameQueue, FreshnessGate, latencyBoundMs, recordedSources } from './freshness.js';
import type { WorkerMetrics } from './metrics.js';
import type { RecordCodec } from './codec.js';
import { ChainState } from './state/chain-state.js';
import { byPartition, Checkpoints, type Wave } from './waves.js';
import { operatorStage } from './operator-stage.js';
import { TableFollower } from './table.js';
import { Handover } from './handover.js';
import type { PriorityTurns } from './priority.js';
import { publishedTopicName } from '../plan/names.js';

export interface ChainEnv {
  plan: Plan;
  chain: Chain;
  replica: number;
  operators: (uses: string) => AnyOperatorDefinition;
  producer: Producer;
  /** Opens the chain's consumer (input chains only); the hooks follow its partition assignment. */
  openConsumer: (groupId: string, topic: string, hooks?: Pick<ConsumerOptions, 'onAssign' | 'onRevoke' | 'log'>) => Promise<Consumer>;
  /** Where changelogs are restored from, and tables read. */
  backbone: Pick<Backbone, 'readPartition'>;
  /** false: stateful operators keep state in memory only, no changelog (the state benchmark's baseline). */
  changelogs?: boolean;
  codec: RecordCodec;
  metrics: WorkerMetrics;
  dataDir: string;
  log: (message: string) => void;
  /** Sees every record that reaches a sink, for `tierflow run --json`. */
  onSinkRecords?: (operator: string, records: unknown[]) => void;
  /** Sees what every operator emits, by stream (the dashboard's live view); must not hold the chain up. */
  onOutput?: (operator: string, stream: string, records: unknown[]) => void;
  /** Sink records that are dead-lettered (undecodable) on consumption. */
  onPoison?: (record: ConsumedRecord, reason: string) => Promise<void>;
  maxInFlight?: number;
  maxBatch?: number;
  /** Run core-hungry operators in worker threads (default true). */
  threads?: boolean;
  /** Turns shared by the worker's chains when their priorities differ (runtime/priority.ts). */
  turns?: PriorityTurns;
}

export class ChainRunner {
  private readonly abort = new AbortController();
  private instances: OperatorInstance[] = [];
  private pipeline: StagePipeline<Wave> | null = null;
  private consumer: Consumer | null = null;
  private source: SourceInstance<unknown> | null = null;
  private queue: FreshFrameQueue<Captured> | null = null;
  private failure: unknown = null;
  private gate: FreshnessGate | null = null;
  private readonly state: ChainState;
  private readonly checkpoints: Checkpoints;
  private readonly tables = new Map<string, TableFollower>();
  /** Settles when the chain's sources have ended (source chains) or the consumer stopped. */
  finished: Promise<void> = Promise.resolve();

  constructor(private readonly env: ChainEnv) {
    this.state = new ChainState({ ...env, onError: (e) => this.fail(e) });
    this.checkpoints = new Checkpoints({ state: this.state, consumer: () => this.consumer, failed: () => this.failure !== null, fail: (e) => this.fail(e), log: env.log });
  }

  get isSource(): boolean {
    return this.env.chain.sources.length > 0;
  }

  get id(): string {
    return `${this.env.chain.id}#${this.env.replica}`;
  }

  /** The consumer group it reads its input in; null for a source chain. */
  get group(): string | null {
    return this.env.chain.consumerGroup;
  }

  private prepared: Promise<void> | null = null;

  /** Creates the operator instances (models load here); `start` does it when nobody did before. */
  prepare(): Promise<void> {
    this.prepared ??= this.createInstances();
    return this.prepared;
  }

  private async createInstances(): Promise<void> {
    const { chain, plan } = this.env;
    for (const id of chain.operators) {
      const def = this.env.operators(this.flow(id).uses);
      const config = plan.configs[id] ?? {};
      // A table is read to its end before the operator is created, so its first record already sees all of it.
      const table = def.table ? publishedTopicName(plan.topology, def.table.topic) : null;
      if (table && chain.tableTopics?.includes(table)) {
        const follower = new TableFollower(table, this.env.backbone, (m) => this.env.log(`${id}: ${m}`));
        await follower.start();
        this.tables.set(id, follower);
      }
      // An operator that keeps a core busy gets a thread of its own (onnxruntime-node infers on the calling thread).
      // Stateful operators, and those following a table, stay on the chain's thread, where their store lives.
      const threaded = this.env.threads !== false && def.input !== null && def.output !== null && def.resources.cpu >= 1 && !def.state && !this.tables.has(id);
      this.instances.push(threaded ? await createThreadedTransform(this.flow(id).uses, config, this.context(id)) : await def.create(config, this.context(id)));
    }
  }

  /**
   * Reads the chain's changelogs ahead of owning any partition (a warm standby, before it joins the group); the
   * restore on assignment then reads only what was written since. Returns keys read per operator.
   */
  async warm(): Promise<Record<string, number>> {
    const input = this.env.plan.topics.find((t) => t.name === this.env.chain.inputTopic);
    return this.state.stateful && input ? this.state.warm(input.partitions) : {};
  }

  async start(): Promise<void> {
    await this.prepare();
    const { chain } = this.env;
    const defs = chain.operators.map((id) => this.env.operators(this.flow(id).uses));
    const first = this.instances[0]!;
    const stages = chain.operators.map((id, i) => this.stage(id, defs[i]!, this.instances[i]!, i === 0));
    if (first.kind === 'source') {
      this.source = first as SourceInstance<unknown>;
      this.pipeline = createStagePipeline([this.publishStage(chain.operators[0]!), ...stages.slice(1)], this.env.maxInFlight ?? 4);
      this.finished = this.watch(this.runSource(chain.operators[0]!));
    } else {
      if (!chain.inputTopic || !chain.consumerGroup) throw new TierflowError('INTERNAL', `chain ${chain.id} has no input`);
      this.pipeline = createStagePipeline(stages, this.env.maxInFlight ?? 4);
      const mine = (parts: Array<{ topic: string; partition: number }>) => parts.filter((p) => p.topic === chain.inputTopic).map((p) => p.partition);
      this.consumer = await this.env.openConsumer(chain.consumerGroup, chain.inputTopic, {
        onAssign: (parts) => {
          this.state.assign(mine(parts));
          this.handover.assigned();
        },
        onRevoke: (parts) => {
          this.handover.revoked();
          return this.state.revoke(mine(parts), () => this.settled());
        },
        log: this.env.log,
      });
      this.finished = this.watch(this.runConsumer(this.consumer, defs[0]!.input!));
    }
  }

  /** Emits what windows hold; `final` at end of stream. Resolves when the flush wave has gone through. */
  async flush(final: boolean): Promise<void> {
    if (!this.pipeline || this.failure) return;
    const w: Wave = { entry: [], outputs: new Map(), flush: { now: this.now(), final } };
    const wave = await this.pipeline.admit(w);
    this.checkpoints.add(w, null, wave.done);
    await wave.done.catch((e: unknown) => {
      this.fail(e);
      throw e;
    });
    await this.checkpoints.all();
  }

  /** Wall time that stands still while the input consumer has no broker (OperatorContext.now). */
  private now(): number {
    return Date.now() - (this.consumer?.unreachableMs?.() ?? 0);
  }

  /** Resolves when nothing is in flight in this replica and every checkpoint has run. */
  async idle(): Promise<void> {
    await this.settled();
  }

  /** Not the batch being admitted: a revocation waits on this while that batch may wait on the revocation. */
  private async settled(): Promise<void> {
    await this.pipeline?.idle();
    await this.checkpoints.all();
  }

  /** Held still while its consumer group changes members (handover.ts); the supervisor asks, through the worker. */
  readonly handover = new Handover({
    pause: () => this.consumer?.pause(),
    resume: () => this.consumer?.resume(),
    settle: async () => {
      await this.handling.catch(() => undefined);
      await this.settled();
    },
    log: (m) => this.env.log(`${this.id}: ${m}`),
  });

  /** The consumer batch being turned into waves (settles once they are admitted). */
  private handling: Promise<void> = Promise.resolve();

  inFlight(): number {
    return (this.pipeline?.inFlight() ?? 0) + (this.queue?.size() ?? 0);
  }

  async lag(): Promise<number> {
    if (!this.consumer) return 0;
    const lags = await this.consumer.lag();
    for (const l of lags) this.env.metrics.lag.set({ chain: this.env.chain.id, topic: l.topic, partition: String(l.partition) }, l.lag);
    return lags.reduce((n, l) => n + l.lag, 0);
  }

  sourceStates(): ReturnType<NonNullable<SourceInstance<unknown>['state']>> {
    return this.source?.state?.() ?? {};
  }

  error(): unknown {
    return this.failure;
  }

  /** Ends a source chain's source; frames it already emitted still go through. The first step of a graceful stop. */
  async stopSource(): Promise<void> {
    if (!this.source) return;
    this.abort.abort();
    await this.finished;
  }

  /**
   * A graceful stop: sources end; a consumer stops fetching and what it already handed over goes through and is
   * checkpointed (outputs, changelogs, offsets) before the consumer leaves its group, so whoever takes its partitions
   * over continues from exactly there instead of replaying (Kafka Streams commits on revocation the same way).
   */
  async stop(): Promise<void> {
    this.abort.abort();
    this.queue?.close();
    await this.source?.close?.();
    if (this.consumer && !this.failure) {
      this.consumer.pause();
      await this.handling.catch(() => undefined);
      await this.settled();
    }
    await this.consumer?.close();
    await this.settled();
    for (const inst of this.instances) if (inst.kind !== 'source') await inst.close?.();
    for (const table of this.tables.values()) await table.stop();
  }

  private flow(id: string) {
    const placement = this.env.plan.placements.find((p) => p.operator === id);
    if (!placement) throw new TierflowError('INTERNAL', `no placement for ${id}`);
    return placement;
  }

  private context(id: string): OperatorContext {
    const { chain, plan } = this.env;
    const topic = chain.outputs.find((o) => o.operator === id)?.topic;
    return {
      operatorId: id,
      node: chain.node,
      tier: chain.tier,
      replica: this.env.replica,
      sources: plan.sources.filter((s) => chain.sources.includes(s.name)),
      dataDir: this.env.dataDir,
      baseDir: dirname(plan.file),
      log: (m) => this.env.log(`${id}: ${m}`),
      signal: this.abort.signal,
      publish: topic ? (records) => this.produce(id, topic, records) : undefined,
      state: this.state.storeFor(id),
      table: this.tables.get(id),
      now: () => this.now(),
    };
  }

  private boundFor(): (camera: string) => number {
    const recorded = recordedSources(this.env.plan, this.env.operators);
    const bounds = new Map(this.env.plan.sources.map((s) => [s.name, recorded.has(s.name) ? Infinity : latencyBoundMs(s.maxLatencyMs, this.env.chain.priority)]));
    return (camera) => bounds.get(camera) ?? latencyBoundMs(2000, this.env.chain.priority);
  }

  private stage(id: string, def: AnyOperatorDefinition, inst: OperatorInstance, isHead: boolean) {
    return operatorStage({
      id, def, inst, isHead,
      metrics: this.env.metrics,
      gate: (this.gate ??= new FreshnessGate(this.boundFor())),
      state: this.state,
      upstream: this.env.plan.inputs?.[id]?.[0],
      topic: this.env.chain.outputs.find((o) => o.operator === id && def.output !== null)?.topic,
      onSinkRecords: this.env.onSinkRecords,
      onOutput: this.env.onOutput,
      produce: (topic, records) => this.produce(id, topic, records),
      turn: this.env.turns ? () => this.env.turns!.take(this.env.chain.priority) : undefined,
    });
  }

  /** The source's own records go to its topic (if any) before the fused stages see them. */
  private publishStage(id: string) {
    const topic = this.env.chain.outputs.find((o) => o.operator === id)?.topic;
    return async (wave: Wave): Promise<Wave> => {
      if (topic && wave.entry.length > 0) await this.produce(id, topic, wave.entry);
      const stream = this.env.operators(this.flow(id).uses).output;
      if (stream !== null && wave.entry.length > 0) this.env.onOutput?.(id, stream.name, wave.entry);
      wave.outputs.set(id, wave.entry);
      return wave;
    };
  }

  private async produce(operator: string, topic: string, records: unknown[]): Promise<void> {
    // A publishing sink's records are its input stream's.
    const def = this.env.operators(this.flow(operator).uses);
    const stream = (def.output ?? def.input)!;
    await this.env.producer.sendAll(
      records.map((r) => {
        const { key, value, headers } = this.env.codec.encode(stream, r, topic);
        return { topic, key, value, headers };
      }),
    );
  }

  private async runSource(id: string): Promise<void> {
    const { metrics } = this.env;
    const maxBatch = this.env.maxBatch ?? 4;
    const queue = (this.queue = new FreshFrameQueue<Captured>(maxBatch * 2, (f) => metrics.droppedFrame(id, f.camera)));
    const pump = (async () => {
      for (;;) {
        const batch = await queue.take(maxBatch);
        if (batch.length === 0) return;
        metrics.emitted(id, batch.length);
        const wave: Wave = { entry: batch, outputs: new Map(), flush: null };
        const { done } = await this.pipeline!.admit(wave);
        done.then(() => this.learn(wave), (e: unknown) => this.fail(e)).finally(() => wave.release?.());
        this.checkpoints.add(wave, null, done);
      }
    })();
    // Live cameras drop their oldest frames when processing falls behind; recorded files wait instead.
    const recorded = recordedSources(this.env.plan, this.env.operators);
    try {
      await this.source!.run(async (r) => {
        const frame = r as Captured;
        if (recorded.has(frame.camera)) await queue.pushWhenRoom(frame);
        else queue.push(frame);
      }, this.abort.signal);
    } finally {
      queue.close();
      await pump;
      await this.pipeline!.idle();
    }
  }

  private async runConsumer(consumer: Consumer, stream: AnyStream): Promise<void> {
    await consumer.run((batch) => (this.handling = this.admitBatch(batch, stream)));
  }

  private async admitBatch(batch: ConsumedRecord[], stream: AnyStream): Promise<void> {
    // A stateful chain processes each partition's records as waves of their own, once that partition is restored.
    for (const [partition, records] of this.state.stateful ? byPartition(batch) : [[undefined, batch] as const]) {
      if (partition !== undefined) await this.state.ready(partition).catch(() => undefined);
      if (this.failure) return;
      const values: unknown[] = [];
      for (const rec of records) {
        try {
          values.push(this.env.codec.decode(stream, rec.value, rec.headers));
        } catch (e) {
          await this.env.onPoison?.(rec, `undecodable ${stream.name} record: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      const wave: Wave = { entry: values, outputs: new Map(), flush: null, partition, generation: partition === undefined ? undefined : this.state.generation(partition) };
      const { done } = await this.pipeline!.admit(wave);
      done.then(() => this.learn(wave), (e: unknown) => this.fail(e)).finally(() => wave.release?.());
      this.checkpoints.add(wave, records, done);
    }
  }

  /** Teaches the freshness gate how long a wave takes from the gate to its acknowledged outputs. */
  private learn(wave: Wave): void {
    if (wave.gatedAt !== undefined) this.gate?.observe(performance.now() - wave.gatedAt);
  }

  /**
   * A consumer or source that dies while the chain should be running fails the chain, so the worker exits and its
   * supervisor restarts it from the committed offsets, instead of idling healthy with nothing to read.
   */
  private watch(running: Promise<void>): Promise<void> {
    return running.catch((e: unknown) => {
      if (!this.abort.signal.aborted) this.fail(e);
    });
  }

  private fail(e: unknown): void {
    if (this.failure) return;
    this.failure = e;
    this.env.log(`chain ${this.id} failed: ${e instanceof Error ? e.message : String(e)}`);
    this.abort.abort();
  }
}

export type { Wave } from './waves.js';
