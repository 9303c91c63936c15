// A worker hosts the chains the plan placed on its nodes (one node for a deployed worker process; every node
// for `tierflow run`), each chain as many replicas as planned, all members of the chain's consumer group.
import type { Plan } from '../plan/types.js';
import type { AnyOperatorDefinition } from '../operator.js';
import type { Backbone, ConsumedRecord, Producer } from '../backbone/contract.js';
import { TierflowError } from '../errors.js';
import { DeadLetters } from '../backbone/dead-letter.js';
import { ChainRunner } from './chain.js';
import type { RecordCodec } from './codec.js';
import { WorkerMetrics } from './metrics.js';
import { chainOrder } from './order.js';
import { turnsFor } from './priority.js';

export interface WorkerOptions {
  plan: Plan;
  /** Nodes this worker hosts. */
  nodes: string[];
  /** Only these chains (a Kubernetes pod runs one chain replica); all chains of the nodes when absent. */
  chains?: string[];
  backbone: Backbone;
  codec: RecordCodec;
  operators: (uses: string) => AnyOperatorDefinition;
  dataDir: string;
  log: (message: string) => void;
  /** Replicas per chain id, overriding the plan (scale). */
  replicas?: Record<string, number>;
  onSinkRecords?: (operator: string, records: unknown[]) => void;
  /** Every operator's output by stream, for the dashboard (see ChainEnv.onOutput). */
  onOutput?: (operator: string, stream: string, records: unknown[]) => void;
  onPoison?: (record: ConsumedRecord, reason: string) => Promise<void>;
  metrics?: WorkerMetrics;
  /** false: stateful operators keep their state in memory only (the state benchmark's baseline). */
  changelogs?: boolean;
}

export interface SourceStatus {
  source: string;
  state: string;
  since: number;
  detail?: string;
}

/** A periodic flush taking longer than this is said in the log. */
const FLUSH_SLOW_MS = 20_000;

export class Worker {
  readonly metrics: WorkerMetrics;
  private readonly runners: ChainRunner[] = [];
  /** The replicas of each chain, in start order (consumers before sources). */
  private readonly groups: ChainRunner[][] = [];
  private producer: Producer | null = null;
  private readonly startedAt = Date.now();

  constructor(private readonly opts: WorkerOptions) {
    this.metrics = opts.metrics ?? new WorkerMetrics({ node: opts.nodes.join(',') });
  }

  /** prepare, then start. */
  async start(): Promise<void> {
    await this.prepare();
    await this.go();
  }

  /**
   * Everything a start does before it takes work: operators created (models loaded) and, with `warm`, changelogs
   * read ahead. A warm standby stops here until the switch (`go`): no consumer group joined, no source opened.
   * Returns the changelog keys read per chain.
   */
  async prepare(opts: { warm?: boolean } = {}): Promise<Record<string, Record<string, number>>> {
    if (this.producer) return {};
    const { plan, backbone } = this.opts;
    const producer = await backbone.producer();
    this.producer = producer;
    const deadLetters = new DeadLetters(producer);
    const onPoison = this.opts.onPoison ?? ((record: ConsumedRecord, reason: string) => deadLetters.send(record, reason));
    // Consumers join before sources start, so the first frames already have somebody to read them.
    const chains = chainOrder(plan).filter((c) => this.opts.nodes.includes(c.node) && (!this.opts.chains || this.opts.chains.includes(c.id)));
    const ordered = [...chains.filter((c) => c.sources.length === 0), ...chains.filter((c) => c.sources.length > 0)];
    // The clients for every topic written here connect while the operators load, not at the first record.
    const connecting = producer.prepare(chains.flatMap((c) => [...c.outputs.map((o) => o.topic), ...(c.changelogTopics ?? [])]));
    connecting.catch(() => undefined); // awaited below; a failure there is this start's error
    const warmed: Record<string, Record<string, number>> = {};
    // TIERFLOW_PRIORITY_TURNS=off: no turns (the priority case's baseline, to see what they do).
    const turns = process.env['TIERFLOW_PRIORITY_TURNS'] === 'off' ? undefined : turnsFor(chains.map((c) => c.priority));
    if (turns) this.opts.log(`flows of different priority share this worker: higher priorities take their turn first (${chains.map((c) => `${c.id} ${c.priority}`).join(', ')})`);
    for (const chain of ordered) {
      const replicas = this.opts.replicas?.[chain.id] ?? chain.replicas;
      const runners = Array.from({ length: replicas }, (_, replica) => new ChainRunner({
          plan,
          chain,
          replica,
          operators: this.opts.operators,
          producer,
          openConsumer: (groupId, topic, hooks) => backbone.consumer({ groupId, topics: [topic], fromBeginning: true, maxBatch: 8, ...hooks }),
          backbone,
          changelogs: this.opts.changelogs,
          codec: this.opts.codec,
          metrics: this.metrics,
          dataDir: this.opts.dataDir,
          log: this.opts.log,
          onSinkRecords: this.opts.onSinkRecords,
          onOutput: this.opts.onOutput,
          onPoison,
          turns,
        }),
      );
      this.runners.push(...runners);
      this.groups.push(runners);
      // Replicas load their operators side by side, then join the consumer group together. One by one, the second
      // replica joined ~3 s after the first (its models loading) and the group rebalanced mid-stream (Kafka).
      const loaded = await Promise.allSettled(runners.map((r) => r.prepare()));
      const failed = loaded.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      // One replica reads ahead: the one that gets a partition first restores from there (a single replica, most often).
      if (opts.warm && runners[0]) warmed[chain.id] = await runners[0].warm();
    }
    await connecting;
    return warmed;
  }

  /** Joins the consumer groups and starts the sources of what `prepare` created. */
  async go(): Promise<void> {
    for (const runners of this.groups) for (const runner of runners) await runner.start();
  }

  /** Settles when every source chain hosted here has ended (immediately if there are none). */
  async sourcesEnded(): Promise<void> {
    await Promise.all(this.runners.filter((r) => r.isSource).map((r) => r.finished));
  }

  /** Stops every source hosted here (cameras disconnect, files stop being read); what they emitted still flows. */
  async stopSources(): Promise<void> {
    await Promise.all(this.runners.filter((r) => r.isSource).map((r) => r.stopSource()));
  }

  /** Waits until nothing is in flight and no input topic has lag, twice in a row; throws on timeout or chain failure. */
  async drain(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quietRounds = 0;
    while (quietRounds < 2) {
      this.throwIfFailed();
      if (Date.now() > deadline) throw new TierflowError('INTERNAL', `pipeline did not drain within ${timeoutMs / 1000} s`);
      await Promise.all(this.runners.map((r) => r.idle()));
      await this.producer?.flush();
      const lag = (await Promise.all(this.runners.map((r) => r.lag()))).reduce((a, b) => a + b, 0);
      const busy = this.runners.reduce((n, r) => n + r.inFlight(), 0);
      quietRounds = lag === 0 && busy === 0 ? quietRounds + 1 : 0;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Flushes windows chain by chain from sources outward, draining after each, so every window reaches its sink. */
  async flushAll(final: boolean): Promise<void> {
    for (const chainId of chainOrder(this.opts.plan).map((c) => c.id)) {
      const runners = this.runners.filter((r) => r.id.startsWith(`${chainId}#`));
      if (runners.length === 0) continue;
      await Promise.all(runners.map((r) => r.flush(final)));
      if (final) await this.drain();
    }
  }

  /** Periodic flush so windows close while the pipeline runs. */
  startFlushTimer(intervalMs = 500): () => void {
    let running: number | null = null;
    let said = false;
    const timer = setInterval(() => {
      if (running !== null) {
        // Windows close only by this flush: one that does not return is worth a line in the log (once per flush).
        if (!said && Date.now() - running > FLUSH_SLOW_MS) {
          said = true;
          this.opts.log(`flush still running after ${Math.round((Date.now() - running) / 1000)} s: windows wait for it`);
        }
        return;
      }
      running = Date.now();
      said = false;
      this.flushAll(false)
        .catch((e: unknown) => this.opts.log(`flush failed: ${String(e)}`))
        .finally(() => (running = null));
    }, intervalMs);
    return () => clearInterval(timer);
  }

  /**
   * Holds the replicas here that read in consumer group `group` (handover.ts) while another worker joins or leaves
   * it; resolves once what they took is committed. Returns how many were held.
   */
  async hold(group: string, maxMs: number): Promise<number> {
    const held = this.runners.filter((r) => r.group === group);
    await Promise.all(held.map((r) => r.handover.hold(maxMs)));
    return held.length;
  }

  /** Lets held replicas of `group` fetch again (a migration rolled back: no rebalance comes). */
  release(group: string): void {
    for (const r of this.runners) if (r.group === group) r.handover.release('released');
  }

  failure(): unknown {
    return this.runners.map((r) => r.error()).find((e) => e !== null) ?? null;
  }

  sources(): SourceStatus[] {
    return this.runners.flatMap((r) => Object.entries(r.sourceStates()).map(([source, s]) => ({ source, ...s })));
  }

  private lagRefresh: Promise<void> | null = null;

  /** Refreshes the consumer-lag gauge of every replica (workers measure lag only when asked: status, drain). */
  async refreshLag(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.lag().catch(() => 0)));
  }

  /**
   * Consumer lag per chain head operator (the operator that reads the chain's input topic), refreshed first but
   * waited for at most `waitMs`: a status display should not hang on a broker that does not answer.
   */
  async lagByHead(waitMs = 1000): Promise<Map<string, number>> {
    // One refresh at a time: status polled every second over a slow broker must not pile refreshes up.
    this.lagRefresh ??= this.refreshLag().finally(() => (this.lagRefresh = null));
    await Promise.race([this.lagRefresh, new Promise((r) => setTimeout(r, waitMs))]);
    const out = new Map<string, number>();
    for (const v of (await this.metrics.lag.get()).values) {
      const head = this.opts.plan.chains.find((c) => c.id === v.labels.chain)?.operators[0];
      if (head) out.set(head, (out.get(head) ?? 0) + v.value);
    }
    return out;
  }

  uptimeMs(): number {
    return Date.now() - this.startedAt;
  }

  async stop(): Promise<void> {
    for (const r of [...this.runners].reverse()) await r.stop();
    await this.producer?.flush();
    await this.producer?.close();
  }

  private throwIfFailed(): void {
    const e = this.failure();
    if (e) throw e instanceof TierflowError ? e : new TierflowError('INTERNAL', `a chain failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
