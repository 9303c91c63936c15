// A consumer-group member on node-rdkafka: manual synchronous commits (held back while no broker answers), range
// assignment with rebalance callbacks, pause/resume of the assigned partitions, and lag from the committed
// offsets and high watermarks. One batch at a time: the handler is awaited before the next fetch is delivered.
import Kafka from 'node-rdkafka';
import type { ConsumedRecord, Consumer, ConsumerOptions, PartitionLag } from '../contract.js';
import { TierflowError } from '../../errors.js';
import { Signal } from '../embedded/signal.js';
import { brokerError, describe, RD, within } from './errors.js';
import { DEFAULT_TIMEOUT_MS, rdkafkaDebug, type KafkaConnection } from './connection.js';
import { consumerConfig } from './consumer-config.js';
import { consumedRecord } from './messages.js';
import { consumeOnce, takeBatch } from './take.js';
import { partitionList, startingOffsets, type TP } from './assignment.js';
import { ConsumerHealth } from './reachability.js';

const ERR_ASSIGN = RD.ERR__ASSIGN_PARTITIONS;
const ERR_REVOKE = RD.ERR__REVOKE_PARTITIONS;
// Commit refusals that only mean "a rebalance moved the partition": the next owner re-reads (at-least-once).
const REBALANCE_COMMIT_ERRORS = new Set([RD.ERR_ILLEGAL_GENERATION, RD.ERR_UNKNOWN_MEMBER_ID, RD.ERR_REBALANCE_IN_PROGRESS, RD.ERR__NO_OFFSET]);
/**
 * A synchronous commit with the broker gone blocks the event loop until librdkafka gives up (~6 s measured, per
 * commit). After one such failure, later commits only collect their offsets for this long, and the consume loop
 * commits what was collected once the hold is over: the event loop stays free, nothing is skipped (at worst
 * records are delivered again).
 */
const COMMIT_HOLD_MS = 5000;
/**
 * How long one poll waits for a first record: also how often the loop comes round to commit and to notice close.
 * A graceful stop pauses the consumer and then waits out the poll in progress before it can leave the group, so this
 * is part of every migration's pause: at 500 ms the old worker took ~0.41 s from "stopping" to its revocation
 * (librdkafka's consume cannot be woken through node-rdkafka). An idle poll costs a thread-pool round trip.
 */
const CONSUME_WAIT_MS = 100;

export class KafkaConsumer implements Consumer {
  private readonly client: Kafka.KafkaConsumer;
  private readonly resumed = new Signal();
  private authError: unknown;
  private paused = false;
  private closed = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly conn: KafkaConnection,
    private readonly options: ConsumerOptions,
  ) {
    const debug = rdkafkaDebug();
    const conf = {
      ...consumerConfig(conn, options),
      ...debug.config,
      rebalance_cb: (err: { code: number }, assignment: TP[]) => this.onRebalance(err, assignment),
    } as unknown as Kafka.ConsumerGlobalConfig;
    this.client = new Kafka.KafkaConsumer(conf, { 'auto.offset.reset': options.fromBeginning ? 'earliest' : 'latest' });
    debug.attach(this.client);
    this.client.on('event.error', (e: { code?: number }) => {
      if (e.code === RD.ERR__AUTHENTICATION) this.authError = e;
    });
    this.health = new ConsumerHealth(`consumer of ${options.topics.join(',')} (group ${options.groupId})`, options.log);
    this.client.on('event.stats', (e: { message?: string }) => this.health.observe(e.message, this.closed));
  }

  private readonly health: ConsumerHealth;

  unreachableMs(): number {
    return this.health.unreachableMs();
  }

  async connect(): Promise<this> {
    const timeout = this.conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    try {
      await within(
        new Promise<void>((resolve, reject) => this.client.connect({ timeout }, (err) => (err ? reject(err) : resolve()))),
        timeout + 1000,
        this.conn.brokers,
        'connecting the consumer',
      );
    } catch (e) {
      this.client.disconnect(() => {});
      throw brokerError(this.authError ?? e, this.conn.brokers, 'connecting the consumer');
    }
    return this;
  }

  run(onBatch: (records: ConsumedRecord[]) => Promise<void>): Promise<void> {
    if (this.loop) throw new TierflowError('INTERNAL', 'consumer.run called twice');
    this.client.subscribe(this.options.topics);
    this.loop = this.deliver(onBatch);
    return this.loop;
  }

  commit(records: Array<Pick<ConsumedRecord, 'topic' | 'partition' | 'offset'>>): Promise<void> {
    for (const r of records) {
      const k = `${r.topic}\u0000${r.partition}`;
      // A partition given up is not committed for: its next owner may have moved on from there.
      if (!this.held.has(k)) continue;
      if ((this.uncommitted.get(k)?.offset ?? -1) < r.offset + 1) this.uncommitted.set(k, { topic: r.topic, partition: r.partition, offset: r.offset + 1 });
    }
    if (this.uncommitted.size === 0) return Promise.resolve();
    if (Date.now() < this.commitsHeldUntil) {
      return Promise.reject(new TierflowError('BROKER_UNREACHABLE', 'commit held back: the last one found no broker; these offsets go with the next', { retriable: true }));
    }
    try {
      this.commitUncommitted();
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Synchronous commit of every collected offset: node-rdkafka serves offset_commit_cb only while consume() polls,
   * and the loop does not poll while the handler (which awaits this) runs. One round trip per batch, not per record.
   */
  private commitUncommitted(): void {
    const offsets = [...this.uncommitted.values()];
    try {
      this.client.commitSync(offsets);
      this.uncommitted.clear();
    } catch (e) {
      const code = (e as { code?: number }).code ?? 0;
      if (REBALANCE_COMMIT_ERRORS.has(code)) return this.uncommitted.clear();
      if (!this.client.isConnected()) throw new TierflowError('BACKBONE_CLOSED', `commit after close: ${describe(e)}`, { cause: e });
      this.commitsHeldUntil = Date.now() + COMMIT_HOLD_MS;
      throw new TierflowError('INTERNAL', `commit failed: ${describe(e)}`, { cause: e, retriable: true });
    }
  }

  pause(): void {
    this.paused = true;
    this.client.pause(this.client.assignments());
  }

  resume(): void {
    this.paused = false;
    this.client.resume(this.client.assignments());
    this.resumed.notify();
  }

  async lag(): Promise<PartitionLag[]> {
    const timeout = this.conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const md = await new Promise<Kafka.Metadata>((resolve, reject) =>
      this.client.getMetadata({ timeout }, (err, data) => (err ? reject(brokerError(err, this.conn.brokers, 'reading metadata')) : resolve(data))),
    );
    const parts: TP[] = [];
    for (const topic of this.options.topics) {
      for (const p of md.topics.find((t) => t.name === topic)?.partitions ?? []) parts.push({ topic, partition: p.id });
    }
    parts.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    const committed = await new Promise<Kafka.TopicPartitionOffset[]>((resolve, reject) =>
      this.client.committed(parts, timeout, (err, tps) => (err ? reject(brokerError(err, this.conn.brokers, 'reading commits')) : resolve(tps))),
    );
    return Promise.all(
      parts.map(async ({ topic, partition }) => {
        const w = await new Promise<Kafka.WatermarkOffsets>((resolve, reject) =>
          this.client.queryWatermarkOffsets(topic, partition, timeout, (err, o) => (err ? reject(brokerError(err, this.conn.brokers, 'reading offsets')) : resolve(o))),
        );
        const c = committed.find((x) => x.topic === topic && x.partition === partition)?.offset ?? -1;
        const from = c >= 0 ? c : w.lowOffset;
        return { topic, partition, committed: from, end: w.highOffset, lag: Math.max(0, w.highOffset - from) };
      }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.resumed.notify();
    await this.loop?.catch(() => {});
    if (!this.loop) await this.disconnect();
  }

  private async deliver(onBatch: (records: ConsumedRecord[]) => Promise<void>): Promise<void> {
    const max = this.options.maxBatch ?? 500;
    try {
      while (!this.closed) {
        if (this.health.stalled) throw this.health.stalled;
        if (this.paused) {
          // Keep polling while paused (paused partitions fetch nothing) so the group does not evict us.
          await Promise.race([this.resumed.wait(), new Promise((r) => setTimeout(r, 1000))]);
          if (this.paused && !this.closed) await this.consume(1, true);
          continue;
        }
        if (this.uncommitted.size > 0 && Date.now() >= this.commitsHeldUntil) {
          try {
            this.commitUncommitted();
          } catch {
            // Still no broker: held again; the offsets stay collected.
          }
        }
        const batch = await this.consume(max, false);
        // A batch fetched while pause() was called is held back: after pause returns, nothing new is delivered.
        if (this.paused) this.stash.push(...batch);
        else if (batch.length > 0 && !this.closed) await onBatch(batch);
      }
    } finally {
      // Offsets collected while commits were held back go before the group is left, or the next owner replays them.
      if (this.uncommitted.size > 0 && this.client.isConnected()) {
        try {
          this.commitUncommitted();
        } catch {
          // No broker: they are redelivered to whoever owns the partitions next (at-least-once).
        }
      }
      await this.disconnect();
    }
  }

  private stash: ConsumedRecord[] = [];
  /** Offsets handed to commit() and not yet committed (held back, or the commit failed), by topic and partition. */
  private readonly uncommitted = new Map<string, Kafka.TopicPartitionOffset>();
  /** Partitions assigned and not revoked since (topic NUL partition). */
  private readonly held = new Set<string>();
  private commitsHeldUntil = 0;

  private async consume(max: number, holdOnly: boolean): Promise<ConsumedRecord[]> {
    if (!holdOnly && this.stash.length > 0) return this.stash.splice(0, max);
    let messages: Kafka.Message[];
    try {
      messages = holdOnly ? await consumeOnce(this.client, 1, CONSUME_WAIT_MS) : await takeBatch(this.client, max, CONSUME_WAIT_MS);
    } catch (err) {
      throw brokerError(this.authError ?? err, this.conn.brokers, `consuming ${this.options.topics.join(',')} as group ${this.options.groupId}`);
    }
    const records = messages.map(consumedRecord);
    // Records that raced a pause are held back and delivered first after resume.
    if (holdOnly) {
      this.stash.push(...records);
      return [];
    }
    return records;
  }

  private onRebalance(err: { code: number }, assignment: TP[]): void {
    try {
      if (err.code === ERR_ASSIGN) {
        this.options.log?.(`group ${this.options.groupId}: assigned ${partitionList(assignment)}`);
        for (const a of assignment) this.held.add(`${a.topic}\u0000${a.partition}`);
        const generation = ++this.assignments;
        void startingOffsets(this.client, assignment, this.options.fromBeginning === true, this.conn.timeoutMs ?? DEFAULT_TIMEOUT_MS).then((positioned) => {
          if (generation !== this.assignments || this.closed) return;
          try {
            this.client.assign(positioned);
            // librdkafka keeps a partition's pause across a rebalance (its toppar outlives the assignment): a
            // partition paused before it was revoked would stay paused after a resume() that came in between.
            if (this.paused) this.client.pause(positioned);
            else this.client.resume(positioned);
          } catch (e) {
            if (!this.closed) this.options.log?.(`group ${this.options.groupId}: assigning failed: ${describe(e)}`);
          }
        });
        this.options.onAssign?.(assignment.map(({ topic, partition }) => ({ topic, partition })));
      } else if (err.code === ERR_REVOKE) {
        this.assignments++;
        this.options.log?.(`group ${this.options.groupId}: revoked ${partitionList(assignment)}`);
        this.stash = this.stash.filter((r) => !assignment.some((a) => a.topic === r.topic && a.partition === r.partition));
        for (const a of assignment) {
          this.uncommitted.delete(`${a.topic}\u0000${a.partition}`);
          this.held.delete(`${a.topic}\u0000${a.partition}`);
        }
        try {
          // Not waited for (see ConsumerOptions.onRevoke): unassign called after the callback has returned can block
          // this thread for good while the group coordinator is unreachable (librdkafka's rd_kafka_assign waits on
          // the group thread without a timeout; ClickHouse #101158 met the same), and a broker outage is when
          // assignments get revoked. The partitions go at once; the next owner replays their last checkpoint.
          void this.options.onRevoke?.(assignment.map(({ topic, partition }) => ({ topic, partition })));
        } finally {
          // Until unassign is called the group cannot move on (join state wait-unassign-call): it is called whatever the hook did.
          this.client.unassign();
        }
      }
    } catch (e) {
      // Rebalance callbacks can arrive while disconnecting; librdkafka then drops the assignment itself.
      if (!this.closed) this.options.log?.(`group ${this.options.groupId}: rebalance callback failed: ${describe(e)}`);
    }
  }

  /** Counts assignments and revocations: an assignment resolved after a later one is dropped. */
  private assignments = 0;

  private disconnect(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.client.isConnected()) return resolve();
      const timer = setTimeout(resolve, 15_000);
      this.client.disconnect(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
