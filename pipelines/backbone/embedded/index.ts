// The embedded backbone: topics, partitions, consumer groups and committed offsets in this process. It is what
// `tierflow run` uses by default, and it passes the same conformance suite as Kafka. Memory is bounded per
// partition: a send waits while its partition holds more than the bound of records not yet committed by every
// group that reads the topic.
import type { Backbone, Consumer, ConsumerOptions, PartitionEntry, ProducedRecord, Producer, TopicSpec } from '../contract.js';
import { CompactedLog } from './compacted-log.js';
import { TierflowError } from '../../errors.js';
import { partitionForKey } from '../partitioner.js';
import { EmbeddedConsumer, type TopicStore } from './consumer.js';
import { ConsumerGroup } from './group.js';
import { PartitionLog, type PartitionBound } from './partition-log.js';
import { Signal } from './signal.js';

export interface EmbeddedOptions {
  /** Per-partition memory bound; defaults to 64 MiB and 10,000 records. */
  partitionBound?: Partial<PartitionBound>;
}

interface Topic {
  spec: TopicSpec;
  logs: PartitionLog[];
  appended: Signal;
}

export const DEFAULT_PARTITION_BOUND: PartitionBound = { maxBytes: 64 << 20, maxRecords: 10_000 };

export function createEmbeddedBackbone(options: EmbeddedOptions = {}): Backbone {
  return new EmbeddedBackbone({ ...DEFAULT_PARTITION_BOUND, ...options.partitionBound });
}

function recordBytes(r: ProducedRecord & { value: Uint8Array }): number {
  let n = r.value.byteLength + Buffer.byteLength(r.key);
  for (const [k, v] of Object.entries(r.headers ?? {})) n += k.length + v.length;
  return n;
}

class EmbeddedBackbone implements Backbone, TopicStore {
  readonly kind = 'embedded' as const;
  private readonly topics = new Map<string, Topic>();
  /** Compacted topics (changelogs): read by restores, never by consumer groups. */
  private readonly compacted = new Map<string, { spec: TopicSpec; logs: CompactedLog[] }>();
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly consumers = new Set<EmbeddedConsumer>();
  private closed = false;

  constructor(private readonly bound: PartitionBound) {}

  async provision(specs: TopicSpec[]): Promise<void> {
    this.assertOpen();
    for (const spec of specs) {
      const existing = this.topics.get(spec.name) ?? this.compacted.get(spec.name);
      if (existing && (existing.spec.compacted ?? false) !== (spec.compacted ?? false)) {
        throw new TierflowError(
          'TOPIC_INCOMPATIBLE',
          `topic ${spec.name} exists ${existing.spec.compacted ? 'compacted' : 'not compacted (cleanup.policy=delete)'}, the plan needs it ${spec.compacted ? 'compacted' : 'not compacted'}: delete it or rename the topology`,
        );
      }
      if (existing) {
        if (existing.spec.partitions !== spec.partitions && !(spec.mayHaveMore && existing.spec.partitions > spec.partitions)) {
          throw new TierflowError(
            'TOPIC_INCOMPATIBLE',
            `topic ${spec.name} exists with ${existing.spec.partitions} partitions, the plan needs ${spec.partitions}: delete it or rename the topology`,
          );
        }
        continue;
      }
      if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
        throw new TierflowError('BAD_ARGUMENT', `topic ${spec.name}: partitions must be a positive integer, got ${spec.partitions}`);
      }
      if (spec.compacted) {
        this.compacted.set(spec.name, { spec: { ...spec }, logs: Array.from({ length: spec.partitions }, () => new CompactedLog()) });
        continue;
      }
      const appended = new Signal();
      const logs = Array.from({ length: spec.partitions }, () => new PartitionLog(this.bound, () => appended.notify()));
      this.topics.set(spec.name, { spec: { ...spec }, logs, appended });
    }
  }

  async producer(): Promise<Producer> {
    this.assertOpen();
    const send = async (r: ProducedRecord): Promise<void> => {
      this.assertOpen();
      const changelog = this.compacted.get(r.topic);
      if (changelog) {
        const log = changelog.logs[r.partition ?? partitionForKey(r.key, changelog.logs.length)];
        if (!log) throw new TierflowError('BAD_ARGUMENT', `topic ${r.topic} has no partition ${r.partition}`);
        log.write(r.key, r.value, r.headers ?? {});
        return;
      }
      if (r.value === null) throw new TierflowError('BAD_ARGUMENT', `a tombstone (null value) on topic ${r.topic}, which is not compacted`);
      const record = r as ProducedRecord & { value: Uint8Array };
      const topic = this.topic(r.topic);
      const partition = r.partition ?? partitionForKey(r.key, topic.logs.length);
      const log = topic.logs[partition];
      if (!log) throw new TierflowError('BAD_ARGUMENT', `topic ${r.topic} has no partition ${partition}`);
      const bytes = recordBytes(record);
      const max = topic.spec.maxRecordBytes;
      if (max !== undefined && r.value.byteLength > max) {
        throw new TierflowError('BAD_ARGUMENT', `record of ${r.value.byteLength} bytes exceeds topic ${r.topic}'s maxRecordBytes ${max}`);
      }
      await log.append({ key: r.key, value: record.value, headers: { ...r.headers }, timestamp: Date.now(), bytes });
    };
    const sendAll = async (records: ProducedRecord[]): Promise<void> => {
      await Promise.all(records.map(send));
    };
    return { send, sendAll, prepare: () => Promise.resolve(), flush: () => Promise.resolve(), close: () => Promise.resolve() };
  }

  async consumer(options: ConsumerOptions): Promise<Consumer> {
    this.assertOpen();
    let group = this.groups.get(options.groupId);
    if (!group) this.groups.set(options.groupId, (group = new ConsumerGroup(options.groupId, (t) => this.partitions(t))));
    const consumer = new EmbeddedConsumer(this, group, options);
    this.consumers.add(consumer);
    return consumer;
  }

  async readPartition(topic: string, partition: number, from = 0): Promise<PartitionEntry[]> {
    this.assertOpen();
    const changelog = this.compacted.get(topic);
    if (changelog) {
      const log = changelog.logs[partition];
      if (!log) throw new TierflowError('BAD_ARGUMENT', `topic ${topic} has no partition ${partition}`);
      return log.read(from);
    }
    const log = this.log(topic, partition);
    const start = Math.max(log.start, from);
    return log.read(start, Math.max(0, log.end - start)).map((r) => ({ offset: r.offset, key: r.key, value: r.value, headers: { ...r.headers } }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.topics.values()) for (const log of t.logs) log.close();
    await Promise.all([...this.consumers].map((c) => c.close()));
  }

  // TopicStore

  log(topic: string, partition: number): PartitionLog {
    const log = this.topic(topic).logs[partition];
    if (!log) throw new TierflowError('BAD_ARGUMENT', `topic ${topic} has no partition ${partition}`);
    return log;
  }

  partitions(topic: string): number {
    return this.topic(topic).logs.length;
  }

  appended(topic: string): Signal {
    return this.topic(topic).appended;
  }

  retain(topic: string): void {
    const t = this.topic(topic);
    const readers = [...this.groups.values()].filter((g) => g.topics.has(topic));
    t.logs.forEach((log, partition) => {
      let floor = log.end;
      for (const g of readers) floor = Math.min(floor, g.floor(topic, partition) ?? log.start);
      log.trim(floor);
    });
  }

  private topic(name: string): Topic {
    const t = this.topics.get(name);
    if (!t) throw new TierflowError('BAD_ARGUMENT', `topic ${name} does not exist on the embedded backbone: provision it first`);
    return t;
  }

  private assertOpen(): void {
    if (this.closed) throw new TierflowError('BACKBONE_CLOSED', 'embedded backbone is closed');
  }
}
