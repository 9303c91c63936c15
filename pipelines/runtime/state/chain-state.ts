// The state of one chain replica's stateful operators, tied to the partitions its consumer owns. On assignment a
// partition's state is restored from each operator's changelog before any of its records is processed; on
// revocation the partition's generation moves on, the waves still in flight for it are finished and their state
// changes written (their outputs are out: the state that made them must be in the changelog, or a restore here would
// make them again, differently where a window was closed by the clock), and its state is dropped once they are
// through; a restore of the partition waits for that. Their offsets are committed where the consumer still holds
// the partition (backbone/contract.ts, onRevoke).
// A chain fed by sources has no replayable input: its state is one in-process store, with no changelog.
import type { Chain, Plan } from '../../plan/types.js';
import type { AnyOperatorDefinition, StateStore } from '../../operator.js';
import type { Backbone, Producer } from '../../backbone/contract.js';
import { Changelog, StateCodec, type WarmPartition } from './changelog.js';
import { PartitionedState, type StateChange } from './store.js';

export interface ChainStateEnv {
  plan: Pick<Plan, 'topics' | 'placements'>;
  chain: Chain;
  replica: number;
  operators: (uses: string) => AnyOperatorDefinition;
  backbone: Pick<Backbone, 'readPartition'>;
  producer: Producer;
  /** false: changes are kept in memory only and never written (what the state benchmark compares against). */
  changelogs?: boolean;
  /** A restore that failed fails the chain. */
  onError: (e: unknown) => void;
  log: (message: string) => void;
}

/** A change taken from an operator, with the generation its partition had then. */
export interface TakenChange extends StateChange<unknown> {
  operator: string;
  generation: number;
}

interface OperatorState {
  state: PartitionedState;
  changelog: Changelog | null;
  /** What a warm standby read of each partition before it owned any (see warm). */
  warm: Map<number, WarmPartition>;
}

/** The only partition of a chain fed by sources. */
const SOURCE_PARTITION = 0;

export class ChainState {
  private readonly ops = new Map<string, OperatorState>();
  private readonly pending = new Map<number, Promise<void>>();
  private readonly generations = new Map<number, number>();
  /** Partitions revoked whose waves in flight are being finished: the generation they ran in. */
  private readonly draining = new Map<number, number>();
  /** Restore of each partition, ms (the state benchmark and logs read it). */
  readonly restoreMs = new Map<number, number>();

  constructor(private readonly env: ChainStateEnv) {
    const fromSources = env.chain.inputTopic === null;
    for (const id of env.chain.operators) {
      const uses = env.plan.placements.find((p) => p.operator === id)?.uses;
      const def = uses ? env.operators(uses) : undefined;
      if (!def?.state) continue;
      const topic = env.plan.topics.find((t) => t.kind === 'changelog' && t.producer === id)?.name;
      const changelog = !fromSources && topic && env.changelogs !== false ? new Changelog(topic, new StateCodec(id, def.state), env.backbone, env.producer) : null;
      const state = new PartitionedState(id, fromSources ? () => `${env.chain.node}.${env.replica}` : undefined);
      if (fromSources) state.load(SOURCE_PARTITION, []);
      this.ops.set(id, { state, changelog, warm: new Map() });
    }
  }

  get stateful(): boolean {
    return this.ops.size > 0;
  }

  storeFor(operator: string): StateStore | undefined {
    return this.ops.get(operator)?.state.store;
  }

  generation(partition: number): number {
    return this.generations.get(partition) ?? 0;
  }

  /** Resolves once the partition's state is restored (rejects if the restore failed). */
  ready(partition: number): Promise<void> {
    return this.pending.get(partition) ?? Promise.resolve();
  }

  /** Partitions whose state is held (what a flush visits). */
  partitions(): number[] {
    const first = this.ops.values().next().value;
    return first ? first.state.partitions() : [];
  }

  assign(partitions: number[]): void {
    for (const p of partitions) this.then(p, () => this.restore(p));
  }

  /**
   * `drained` settles when what was in flight for these partitions has been checkpointed. Resolves when their state
   * is dropped (a consumer that can wait holds the partitions until then).
   */
  revoke(partitions: number[], drained: () => Promise<void>): Promise<void> {
    const steps = partitions.map((p) => {
      const generation = this.generation(p);
      this.generations.set(p, generation + 1);
      this.draining.set(p, generation);
      return this.then(p, async () => {
        await drained();
        for (const op of this.ops.values()) op.state.drop(p);
        if (this.draining.get(p) === generation) this.draining.delete(p);
      });
    });
    return Promise.all(steps).then(() => undefined, () => undefined);
  }

  /** Whether a wave of `partition` admitted in `generation` is checkpointed: the current one, or one being drained. */
  current(partition: number, generation: number | undefined): boolean {
    return generation === this.generation(partition) || (generation !== undefined && this.draining.get(partition) === generation);
  }

  has(operator: string): boolean {
    return this.ops.has(operator);
  }

  enter(operator: string, partition: number): void {
    this.ops.get(operator)?.state.enter(partition);
  }

  leave(operator: string): void {
    this.ops.get(operator)?.state.leave();
  }

  take(operator: string): TakenChange[] {
    const op = this.ops.get(operator);
    if (!op) return [];
    return op.state.takeChanges().map((c) => ({ ...c, operator, generation: this.generation(c.partition) }));
  }

  /** Writes the changes of partitions still owned in the generation they were made in; resolves once acknowledged. */
  async write(changes: TakenChange[]): Promise<void> {
    const byOperator = new Map<string, TakenChange[]>();
    for (const c of changes) {
      if (!this.current(c.partition, c.generation)) continue;
      byOperator.set(c.operator, [...(byOperator.get(c.operator) ?? []), c]);
    }
    await Promise.all([...byOperator].map(([id, cs]) => this.ops.get(id)?.changelog?.write(cs)));
  }

  private then(partition: number, step: () => Promise<void>): Promise<void> {
    const next = (this.pending.get(partition) ?? Promise.resolve()).then(step);
    next.catch((e: unknown) => this.env.onError(e));
    this.pending.set(partition, next);
    return next;
  }

  /**
   * A warm standby (Kafka Streams' KIP-441 warm-up replica) reads every partition of its changelogs before it joins
   * the group, while the current owner keeps working; the restore on assignment then reads only what was written
   * since. Returns the keys read per operator.
   */
  async warm(partitions: number): Promise<Record<string, number>> {
    const keys: Record<string, number> = {};
    await Promise.all(
      [...this.ops].map(async ([id, op]) => {
        if (!op.changelog) return;
        for (let p = 0; p < partitions; p++) {
          const w = await op.changelog.catchUp(p, { state: new Map(), next: 0 });
          op.warm.set(p, w);
          keys[id] = (keys[id] ?? 0) + w.state.size;
        }
      }),
    );
    return keys;
  }

  private async restore(partition: number): Promise<void> {
    if (this.ops.size === 0) return;
    const t0 = performance.now();
    let caughtUp = 0;
    let warmed = false;
    const restored = await Promise.all(
      [...this.ops].map(async ([id, op]) => {
        if (!op.changelog) return [id, new Map<string, unknown>()] as const;
        const warm = op.warm.get(partition);
        if (!warm) return [id, await op.changelog.restore(partition)] as const;
        op.warm.delete(partition);
        warmed = true;
        const now = await op.changelog.catchUp(partition, warm);
        caughtUp += now.next - warm.next;
        return [id, now.state] as const;
      }),
    );
    for (const [id, entries] of restored) this.ops.get(id)!.state.load(partition, entries);
    const ms = performance.now() - t0;
    this.restoreMs.set(partition, ms);
    if (this.env.chain.inputTopic !== null) {
      const warm = warmed ? ` (warm standby: ${caughtUp} offsets caught up)` : '';
      this.env.log(`state restored: partition ${partition} of ${this.env.chain.inputTopic}, ${restored.map(([id, e]) => `${id} ${e.size} keys`).join(', ')} in ${Math.round(ms)} ms${warm}`);
    }
  }
}
