// A wave is what moves through a chain's stages together: a batch of records from one input partition (or from the
// chain's sources), or a flush. Checkpoints run once the waves' outputs are acknowledged, in admission order, for
// the waves gathered over a short interval together: state changes written to the changelogs and acknowledged ->
// input offsets committed. At-least-once, and state never runs behind the offsets committed.
import type { Consumer, ConsumedRecord } from '../backbone/contract.js';
import type { ChainState, TakenChange } from './state/chain-state.js';

export interface Wave {
  /** Records entering the chain's head (from its sources or its input topic). */
  entry: unknown[];
  /** What each operator of the chain emitted for this wave: fused operators read their upstream's entry here. */
  outputs: Map<string, unknown[]>;
  /** A flush wave asks every stage with windows or buffers to emit them, in order with the records before it. */
  flush: { now: number; final: boolean } | null;
  /** When the wave passed the chain's freshness gate (performance.now()), to learn how long the rest takes. */
  gatedAt?: number;
  /** Ends the wave's turn (runtime/priority.ts), when its worker's chains differ in priority. */
  release?: () => void;
  /** Stateful chains: the input partition of every entry record, and its generation when the wave was admitted. */
  partition?: number;
  generation?: number;
  /** State changes the wave caused, written by its checkpoint before its offsets are committed. */
  changes?: TakenChange[];
}

export interface CheckpointEnv {
  state: ChainState;
  consumer: () => Consumer | null;
  failed: () => boolean;
  /** A changelog that cannot be written fails the chain, as a failed produce does. */
  fail: (e: unknown) => void;
  log: (message: string) => void;
}

/**
 * How long a checkpoint gathers waves before it writes their changelogs and commits their offsets (Kafka Streams'
 * commit.interval.ms: 30 s by default, 100 ms under exactly-once): one changelog request and one commit for all the
 * waves done meanwhile, each state key written once with its latest value. A changelog request costs ~2 ms of this
 * process's and the broker's CPU (bench state), so per wave it took a few % of a 2-core gateway; at this interval a
 * chain makes at most 4 a second. A crash replays up to this much more input (at-least-once, keys de-duplicate).
 */
export const CHECKPOINT_INTERVAL_MS = 250;

interface Queued {
  wave: Wave;
  records: ConsumedRecord[] | null;
  /** Resolves true once the wave is through, false if it failed. */
  ok: Promise<boolean>;
}

/** The chain's checkpoints, in the order their waves were admitted. */
export class Checkpoints {
  private queue: Queued[] = [];
  private running: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly env: CheckpointEnv,
    private readonly intervalMs = CHECKPOINT_INTERVAL_MS,
  ) {}

  /**
   * Queues the checkpoint of a wave just admitted (so whoever awaits `all()` after an admission awaits it too); it
   * runs within the interval, once `done` resolves. A wave of a partition being revoked is checkpointed while the
   * revocation drains (ChainState.current; the consumer drops the commit if it gave the partition up already); one
   * of a partition handed over before neither writes nor commits. A failed wave does neither; its handler fails the chain.
   */
  add(wave: Wave, records: ConsumedRecord[] | null, done: Promise<unknown>): void {
    this.queue.push({ wave, records, ok: done.then(() => true, () => false) });
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.run();
    }, this.intervalMs);
  }

  /** Runs the checkpoint of every wave queued so far now; settles when it has run. */
  all(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.run();
  }

  private run(): Promise<void> {
    this.running = this.running.then(() => this.checkpoint()).catch((e: unknown) => this.env.fail(e));
    return this.running;
  }

  /** State changes written and acknowledged, then input offsets committed, for the waves queued until now. */
  private async checkpoint(): Promise<void> {
    const { state } = this.env;
    const taken = this.queue.splice(0);
    if (taken.length === 0) return;
    const passed = await Promise.all(taken.map((q) => q.ok));
    if (this.env.failed()) return;
    const kept = taken.filter((q, i) => passed[i] && (q.wave.partition === undefined || state.current(q.wave.partition, q.wave.generation)));
    // Each key once, with its latest value: later waves' changes replace earlier ones'.
    const changes = new Map<string, TakenChange>();
    for (const q of kept) for (const c of q.wave.changes ?? []) changes.set(`${c.operator}\u0000${c.partition}\u0000${c.key}`, c);
    if (changes.size > 0) await state.write([...changes.values()]);
    const records = kept.flatMap((q) => q.records ?? []);
    const consumer = this.env.consumer();
    if (records.length > 0 && consumer) {
      await consumer.commit(records).catch((e: unknown) => this.env.log(`commit failed (records will be redelivered): ${String(e)}`));
    }
  }
}

/** A batch's records by input partition, each partition's in offset order. */
export function byPartition(records: ConsumedRecord[]): Array<[number, ConsumedRecord[]]> {
  const out = new Map<number, ConsumedRecord[]>();
  for (const r of records) out.set(r.partition, [...(out.get(r.partition) ?? []), r]);
  return [...out];
}
