// The backbone contract: what every transport between operators offers. The embedded (in-process) backbone
// and the Kafka backbone both implement it, and one conformance suite (./conformance) runs against both.

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Retention for the topic, ms; undefined keeps the backbone's default. */
  retentionMs?: number;
  /** Compression suited to the stream: frames are already JPEG, so 'none'; small records 'lz4'. */
  compression?: 'none' | 'lz4' | 'zstd' | 'gzip' | 'snappy';
  /** Largest record the topic must accept, bytes. */
  maxRecordBytes?: number;
  /**
   * Compacted (Kafka's cleanup.policy=compact): the backbone keeps at least the latest record of every key, and a
   * record with a null value (a tombstone) deletes its key. Changelogs of operator state are compacted.
   */
  compacted?: boolean;
  /**
   * More partitions than `partitions` on an existing topic are fine: a stream no state is kept by (its consumers
   * share whatever partitions there are). A plan that moved state off a topic's consumers, or a scale, leaves one so.
   */
  mayHaveMore?: boolean;
}

export type Headers = Record<string, string>;

export interface ProducedRecord {
  topic: string;
  key: string;
  /** null only on a compacted topic: a tombstone that deletes the key. */
  value: Uint8Array | null;
  headers?: Headers;
  /** Explicit partition; otherwise the key decides (murmur2, as Kafka's default partitioner). */
  partition?: number;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: Uint8Array;
  headers: Headers;
  /** Broker/append time, ms. */
  timestamp: number;
}

export interface Producer {
  /** Resolves when the record is durably acknowledged (acks=all on Kafka). */
  send(record: ProducedRecord): Promise<void>;
  /**
   * Resolves when every record is acknowledged; rejects with the first failure (the others are still sent). Records
   * to one partition keep their order, as sends do. Cheaper than a send per record where many go at once.
   */
  sendAll(records: ProducedRecord[]): Promise<void>;
  /**
   * Gets ready to send to these topics, so that a first send does not wait for a connection: a worker calls it before
   * it says it is ready (or warm). Rejects when the backbone cannot be reached.
   */
  prepare(topics: string[]): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: number;
  end: number;
  lag: number;
}

/** How long a consumer that can wait holds revoked partitions while its onRevoke hook finishes their work in flight. */
export const REVOKE_DRAIN_LIMIT_MS = 10_000;

/** Waits for an onRevoke hook's promise, at most REVOKE_DRAIN_LIMIT_MS: true if it settled in time. */
export async function revokeDrained(drained: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), REVOKE_DRAIN_LIMIT_MS)));
  try {
    return await Promise.race([drained.then(() => true, () => true), limit]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts. */
  fromBeginning?: boolean;
  /** Most records handed to one `onBatch` call. */
  maxBatch?: number;
  onAssign?: (partitions: Array<{ topic: string; partition: number }>) => void;
  /**
   * The partitions are being taken away. Where the backbone can wait, a promise returned is awaited (at most
   * REVOKE_DRAIN_LIMIT_MS) before they are given up, and commits made meanwhile count: work in flight for them is
   * finished and committed where it ran, as Kafka Streams commits on revocation. The embedded backbone waits; Kafka
   * gives them up at once (kafka/consumer.ts says why), so its next owner replays from their last commit. Either way
   * a commit for a partition given up is dropped.
   */
  onRevoke?: (partitions: Array<{ topic: string; partition: number }>) => void | Promise<void>;
  /** Where the consumer says what happened to it: rebalances, and the broker lost and back. */
  log?: (message: string) => void;
}

export interface Consumer {
  /**
   * Delivers batches until closed. Offsets are committed only by `commit`; the handler's promise is awaited
   * before the next batch of the same partition is delivered (per-partition order).
   */
  run(onBatch: (records: ConsumedRecord[]) => Promise<void>): Promise<void>;
  /** Commits the offset after each given record (offset + 1). */
  commit(records: Array<Pick<ConsumedRecord, 'topic' | 'partition' | 'offset'>>): Promise<void>;
  /** Stop fetching (backpressure) and start again; once pause returns, no new batch is handed to the handler. */
  pause(): void;
  resume(): void;
  lag(): Promise<PartitionLag[]>;
  /** How long, in all, this consumer has been without a reachable broker, ms (0 where that cannot happen). */
  unreachableMs?(): number;
  close(): Promise<void>;
}

/** One record of a partition as a restore reads it; `value` null is a tombstone. */
export interface PartitionEntry {
  offset: number;
  key: string;
  value: Uint8Array | null;
  headers: Headers;
}

export interface Backbone {
  readonly kind: 'embedded' | 'kafka';
  /** Creates missing topics; verifies existing ones; refuses an incompatible one (TOPIC_INCOMPATIBLE). Idempotent. */
  provision(topics: TopicSpec[]): Promise<void>;
  producer(): Promise<Producer>;
  consumer(options: ConsumerOptions): Promise<Consumer>;
  /**
   * Reads one partition from its first retained record up to its end as of the call, outside any consumer group:
   * what restoring state from a changelog replays. A compacted topic may return fewer records than were written,
   * never an older value of a key after a newer one. `from`: only records at or after this offset (a warm standby
   * catching up on what it read before).
   */
  readPartition(topic: string, partition: number, from?: number): Promise<PartitionEntry[]>;
  close(): Promise<void>;
}

export const HEADER_TRACEPARENT = 'traceparent';
export const HEADER_CAPTURE_TS = 'tierflow-capture-ts';
export const HEADER_SCHEMA = 'tierflow-schema';
export const HEADER_DLQ_REASON = 'tierflow-dlq-reason';
export const HEADER_DLQ_SOURCE = 'tierflow-dlq-source';
