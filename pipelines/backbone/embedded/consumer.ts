// A member of an embedded consumer group. One delivery loop per consumer: it gathers up to maxBatch records
// round-robin over its assigned partitions, awaits the handler, and only then delivers more, so each partition's
// records arrive in order and a revoked partition is handed over only between batches.
import { revokeDrained, type ConsumedRecord, type Consumer, type ConsumerOptions, type PartitionLag } from '../contract.js';
import { TierflowError } from '../../errors.js';
import type { ConsumerGroup, GroupMember, TopicPartition } from './group.js';
import { tpKey } from './group.js';
import type { PartitionLog } from './partition-log.js';
import { Signal } from './signal.js';

/** What a consumer needs from the embedded backbone. */
export interface TopicStore {
  log(topic: string, partition: number): PartitionLog;
  partitions(topic: string): number;
  /** Notified on every append to the topic. */
  appended(topic: string): Signal;
  /** Re-evaluates retention of the topic after a commit. */
  retain(topic: string): void;
}

let nextMember = 0;

export class EmbeddedConsumer implements Consumer, GroupMember {
  readonly id = `member-${String(++nextMember).padStart(6, '0')}`;
  readonly topics: string[];
  private readonly positions = new Map<string, { tp: TopicPartition; next: number }>();
  private readonly wake = new Signal();
  private inFlight: Promise<unknown> = Promise.resolve();
  private paused = false;
  private closed = false;
  private running = false;
  private joined = false;
  private rr = 0;

  constructor(
    private readonly store: TopicStore,
    private readonly group: ConsumerGroup,
    private readonly options: ConsumerOptions,
  ) {
    this.topics = [...options.topics];
    for (const t of this.topics) store.partitions(t); // throws for an unknown topic
  }

  async run(onBatch: (records: ConsumedRecord[]) => Promise<void>): Promise<void> {
    if (this.running) throw new TierflowError('INTERNAL', 'consumer.run called twice');
    this.running = true;
    const unsubscribe = this.followAppends();
    try {
      this.joined = true;
      await this.group.join(this);
      while (!this.closed) {
        const batch = this.paused ? [] : this.gather(this.options.maxBatch ?? 500);
        if (batch.length === 0) {
          await this.wake.wait();
          continue;
        }
        const handled = onBatch(batch);
        this.inFlight = handled.catch(() => {});
        await handled;
      }
    } finally {
      unsubscribe();
      if (this.joined) {
        this.joined = false;
        await this.group.leave(this);
      }
    }
  }

  commit(records: Array<Pick<ConsumedRecord, 'topic' | 'partition' | 'offset'>>): Promise<void> {
    const touched = new Set<string>();
    for (const r of records) {
      // A partition given up is not committed for: its next owner may have moved on from there.
      if (!this.held.has(tpKey(r.topic, r.partition))) continue;
      this.group.commit(r.topic, r.partition, r.offset + 1);
      touched.add(r.topic);
    }
    for (const t of touched) this.store.retain(t);
    return Promise.resolve();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake.notify();
  }

  lag(): Promise<PartitionLag[]> {
    const out: PartitionLag[] = [];
    for (const topic of this.topics) {
      for (let partition = 0; partition < this.store.partitions(topic); partition++) {
        const log = this.store.log(topic, partition);
        const committed = this.group.committed.get(tpKey(topic, partition)) ?? log.start;
        out.push({ topic, partition, committed, end: log.end, lag: Math.max(0, log.end - committed) });
      }
    }
    return Promise.resolve(out);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake.notify();
    if (!this.running && this.joined) await this.group.leave(this);
  }

  // GroupMember

  assigned(): TopicPartition[] {
    return [...this.positions.values()].map((p) => p.tp);
  }

  async revoke(parts: TopicPartition[]): Promise<void> {
    if (parts.length === 0) return;
    await this.inFlight;
    for (const p of parts) this.positions.delete(tpKey(p.topic, p.partition));
    // The group moves on once the hook has finished the partitions' work: commits made meanwhile count.
    const drained = this.options.onRevoke?.(parts);
    if (drained && !this.closed) await revokeDrained(drained);
    for (const p of parts) this.held.delete(tpKey(p.topic, p.partition));
  }

  /** Partitions assigned and not yet given up (a revoked one is held while its hook finishes). */
  private readonly held = new Set<string>();

  assign(parts: TopicPartition[]): void {
    if (parts.length === 0) return;
    for (const tp of parts) {
      const log = this.store.log(tp.topic, tp.partition);
      const next = this.group.committed.get(tpKey(tp.topic, tp.partition)) ?? (this.options.fromBeginning ? log.start : log.end);
      this.group.startAt(tp.topic, tp.partition, next);
      this.positions.set(tpKey(tp.topic, tp.partition), { tp, next });
      this.held.add(tpKey(tp.topic, tp.partition));
    }
    this.options.onAssign?.(parts);
    this.wake.notify();
  }

  private gather(max: number): ConsumedRecord[] {
    const owned = [...this.positions.values()];
    const out: ConsumedRecord[] = [];
    for (let i = 0; i < owned.length && out.length < max; i++) {
      const pos = owned[(this.rr + i) % owned.length]!;
      const { topic, partition } = pos.tp;
      for (const r of this.store.log(topic, partition).read(pos.next, max - out.length)) {
        out.push({ topic, partition, offset: r.offset, key: r.key, value: r.value, headers: { ...r.headers }, timestamp: r.timestamp });
        pos.next = r.offset + 1;
      }
    }
    this.rr++;
    return out;
  }

  private followAppends(): () => void {
    const stops = this.topics.map((t) => this.store.appended(t).listen(() => this.wake.notify()));
    return () => stops.forEach((stop) => stop());
  }
}
