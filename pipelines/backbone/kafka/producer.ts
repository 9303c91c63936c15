// The data-path producer: node-rdkafka (librdkafka), idempotent with acks=all, batching with a short linger
// so frames move in large requests, murmur2 partitioning to match Java clients and the embedded backbone.
// Compression is per topic: librdkafka sets it per client, so one client per codec, created on first use.
// Acknowledgements come as librdkafka's delivery reports, matched to their sends by a numeric opaque, and the client
// is polled every millisecond only while sends are outstanding. node-rdkafka's HighLevelProducer did the same through
// an EventEmitter event per message and a setImmediate per report: a profile of 50 000 1 KB sends put most of the
// producer's time there, not in librdkafka.
import Kafka from 'node-rdkafka';
import type { Headers, ProducedRecord, Producer, TopicSpec } from '../contract.js';
import { TierflowError } from '../../errors.js';
import { authzError, brokerError, describe, isAuthzError, RD, RD_QUEUE_FULL, within } from './errors.js';
import { DEFAULT_TIMEOUT_MS, rdkafkaDebug, rdkafkaSecurity, type KafkaConnection } from './connection.js';

type Codec = NonNullable<TopicSpec['compression']>;

/** librdkafka reports every record by message.timeout.ms at the latest. */
const MESSAGE_TIMEOUT_MS = 60_000;
/**
 * A send still without a delivery report this long after it was queued will not get one: once (1 run in 4 of the
 * broker-outage fault case) a record queued as the broker went down was never reported, 4 minutes on, and the chain
 * waiting on it stalled for good with no error. Such a send fails, so the worker fails and its supervisor starts a
 * fresh client (the records are read again from the last commit).
 */
export const DELIVERY_DEADLINE_MS = MESSAGE_TIMEOUT_MS + 15_000;

export function producerConfig(conn: KafkaConnection, codec: Codec): Kafka.ProducerGlobalConfig {
  return {
    'metadata.broker.list': conn.brokers.join(','),
    'client.id': conn.clientId ?? 'tierflow',
    ...rdkafkaSecurity(conn),
    'enable.idempotence': true,
    'linger.ms': 5,
    'batch.size': 1 << 20,
    'batch.num.messages': 10_000,
    'queue.buffering.max.kbytes': 256 << 10,
    'queue.buffering.max.messages': 100_000,
    // A single record may be large (1 MB+ frames); the topic's max.message.bytes is the real limit.
    'message.max.bytes': 64 << 20,
    'compression.codec': codec,
    'socket.keepalive.enable': true,
    'message.timeout.ms': MESSAGE_TIMEOUT_MS,
    'reconnect.backoff.max.ms': 2000,
  } as Kafka.ProducerGlobalConfig;
}

/** Topic-level settings: librdkafka applies these per topic handle, so they go in the topic config. */
export const producerTopicConfig = { 'request.required.acks': -1, partitioner: 'murmur2_random' } as Kafka.ProducerTopicConfig;

const toHeaders = (h: Headers | undefined): Kafka.MessageHeader[] | undefined =>
  h && Object.keys(h).length > 0 ? Object.entries(h).map(([k, v]) => ({ [k]: v })) : undefined;

/** Whoever waits for some sends' delivery reports: one send, or every record of a sendAll. */
export interface Waiter {
  settle(err: unknown, topic: string): void;
}

interface PendingSend {
  waiter: Waiter;
  topic: string;
  queuedAt: number;
}

/**
 * The records of one sendAll: it resolves once every one is acknowledged, and rejects with the first failure (the
 * others still go, as with Promise.all over single sends). One promise and one counter for the lot: a promise and
 * three closures per record were ~40 % of a 1 KB record's send (bench/backbone.ts, 50,000 records).
 */
class Acks implements Waiter {
  private failed = false;

  constructor(
    private left: number,
    private readonly resolve: () => void,
    private readonly reject: (e: unknown) => void,
    private readonly failure: (topic: string, err: unknown) => unknown,
  ) {}

  settle(err: unknown, topic: string): void {
    if (err) this.fail(this.failure(topic, err));
    if (--this.left === 0 && !this.failed) this.resolve();
  }

  /** Fails the lot with `e` as it is (a client that could not connect). */
  fail(e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.reject(e);
  }
}

/** A librdkafka producer client and the sends it has not had a delivery report for yet. */
export class Client {
  private readonly pending = new Map<number, PendingSend>();
  private nextId = 0;
  private poller: NodeJS.Timeout | null = null;
  private lastScan = 0;
  /** The last error librdkafka reported on this client (said when a send is given up). */
  private lastError = '';

  constructor(
    readonly rd: Kafka.Producer,
    private readonly deadlineMs = DELIVERY_DEADLINE_MS,
  ) {
    rd.on('delivery-report', (err, report) => {
      const id = report.opaque as number;
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (this.pending.size === 0) this.stopPolling();
      p.waiter.settle(err, p.topic);
    });
    rd.on('event.error', (e: { message?: string; code?: number }) => {
      this.lastError = `${e.message ?? 'error'} (code ${e.code ?? '?'}) at ${new Date().toISOString()}`;
    });
  }

  /** Queues one record; throws synchronously as librdkafka does (a full queue: RD_QUEUE_FULL). */
  produce(topic: string, partition: number | null, value: Buffer | null, key: Buffer | string, headers: Kafka.MessageHeader[] | undefined, waiter: Waiter): void {
    const id = this.nextId++;
    const now = Date.now();
    this.rd.produce(topic, partition, value, key as Buffer, now, id, headers as never);
    this.pending.set(id, { waiter, topic, queuedAt: now });
    this.poller ??= setInterval(() => this.poll(), 1);
  }

  /** Sends not yet acknowledged fail with `e` (the client is going away). */
  abandon(e: Error): void {
    this.stopPolling();
    for (const p of this.pending.values()) p.waiter.settle(e, p.topic);
    this.pending.clear();
  }

  private poll(): void {
    try {
      this.rd.poll();
    } catch {
      // Disconnected: the reports still owed are failed by abandon() on close.
    }
    const now = Date.now();
    if (now - this.lastScan >= 1000) {
      this.lastScan = now;
      this.expire(now);
    }
  }

  /** Fails the sends past the deadline (insertion order is queue order: the scan stops at the first young one). */
  expire(now = Date.now()): void {
    for (const [id, p] of this.pending) {
      if (now - p.queuedAt < this.deadlineMs) break;
      this.pending.delete(id);
      const last = this.lastError ? `; librdkafka last said: ${this.lastError}` : '';
      p.waiter.settle(new TierflowError('BROKER_UNREACHABLE', `no delivery report for a record to ${p.topic} within ${Math.round(this.deadlineMs / 1000)} s (librdkafka reports every record within ${MESSAGE_TIMEOUT_MS / 1000} s): the producer is stuck${last}`, { retriable: true }), p.topic);
    }
    if (this.pending.size === 0) this.stopPolling();
  }

  private stopPolling(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
  }
}

export class KafkaProducer implements Producer {
  private readonly clients = new Map<Codec, Promise<Client>>();
  /** The clients of `clients` once connected, for sends that need not wait. */
  private readonly connected = new Map<Codec, Client>();
  private closed = false;

  constructor(
    private readonly conn: KafkaConnection,
    private readonly compressionOf: (topic: string) => Codec,
  ) {}

  /** Connects the uncompressed client now, so an unreachable cluster fails here and not at the first send. */
  async start(): Promise<this> {
    await this.client('none');
    return this;
  }

  /**
   * Connects the client each topic's codec needs (clients are per codec, and otherwise connect at their first send).
   * A new idempotent client cannot send until the broker has given it a producer id, which librdkafka asks for ~0.5 s
   * after the client starts when no broker connection is up yet: measured in a migration, a standby's first
   * embeddings waited 0.5 s for it while the results paused.
   */
  async prepare(topics: string[]): Promise<void> {
    await Promise.all([...new Set(topics.map((t) => this.compressionOf(t)))].map((codec) => this.client(codec)));
  }

  /** Settled by the record's delivery report. */
  send(r: ProducedRecord): Promise<void> {
    return this.sendAll([r]);
  }

  /**
   * One promise for all the records, settled by their delivery reports. The hot path allocates as little as it can
   * (a 1 KB record's send was ~15 µs, a fifth of it in the garbage collector): the client is taken synchronously
   * once connected, and a key goes as a string unless it holds a NUL.
   */
  sendAll(records: ProducedRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new TierflowError('BACKBONE_CLOSED', 'producer is closed'));
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.queue(records, 0, new Acks(records.length, resolve, reject, (topic, err) => this.failure(topic, err))));
  }

  /** Queues records[from..]; waits for a client to connect, or for room in librdkafka's queue, and goes on. */
  private queue(records: ProducedRecord[], from: number, acks: Acks): void {
    for (let i = from; i < records.length; i++) {
      const r = records[i]!;
      const codec = this.compressionOf(r.topic);
      const client = this.connected.get(codec);
      if (!client) {
        this.client(codec).then(() => this.queue(records, i, acks), (e: unknown) => acks.fail(e));
        return;
      }
      // librdkafka takes a string key as a C string: a key with a NUL in it would be cut there, so that one goes as bytes.
      const key = r.key.includes('\0') ? Buffer.from(r.key) : r.key;
      const value = r.value === null ? null : Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
      try {
        client.produce(r.topic, r.partition ?? null, value, key, toHeaders(r.headers), acks);
      } catch (e) {
        // librdkafka's local queue is full: the cluster is slower than we produce. Wait, then go on from this record.
        if ((e as { code?: number }).code === RD_QUEUE_FULL) {
          setTimeout(() => this.queue(records, i, acks), 5);
          return;
        }
        acks.settle(e, r.topic);
      }
    }
  }

  private failure(topic: string, e: unknown): Error {
    if (isAuthzError(e)) return authzError(e, this.conn.brokers, `producing to ${topic}`);
    return new TierflowError('INTERNAL', `producing to ${topic} failed: ${describe(e)}`, { cause: e, retriable: true });
  }

  async flush(): Promise<void> {
    const timeout = this.conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    await Promise.all(
      [...this.clients.values()].map(async (c) => {
        const client = await c;
        await new Promise<void>((resolve, reject) => client.rd.flush(6 * timeout, (err) => (err ? reject(brokerError(err, this.conn.brokers, 'flushing')) : resolve())));
      }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch(() => {});
    this.closed = true;
    await Promise.all(
      [...this.clients.values()].map(async (c) => {
        const client = await c.catch(() => null);
        if (!client) return;
        await new Promise<void>((resolve) => client.rd.disconnect(() => resolve()));
        client.abandon(new TierflowError('BACKBONE_CLOSED', 'producer closed before the record was acknowledged'));
      }),
    );
  }

  private client(codec: Codec): Promise<Client> {
    let c = this.clients.get(codec);
    if (!c) {
      c = this.connect(codec);
      c.then((client) => this.connected.set(codec, client), () => this.clients.delete(codec));
      this.clients.set(codec, c);
    }
    return c;
  }

  private async connect(codec: Codec): Promise<Client> {
    const timeout = this.conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const debug = rdkafkaDebug();
    const client = new Kafka.Producer({ ...producerConfig(this.conn, codec), dr_cb: true, ...debug.config } as Kafka.ProducerGlobalConfig, producerTopicConfig);
    debug.attach(client);
    let authError: unknown;
    client.on('event.error', (e: { code?: number }) => {
      if (e.code === RD.ERR__AUTHENTICATION) authError = e;
    });
    // librdkafka serves a producer's error and log callbacks only on poll: a slow poll keeps an idle client's events
    // from piling up (sends poll every millisecond on top, see Client).
    client.setPollInterval(100);
    try {
      await within(
        new Promise<void>((resolve, reject) => client.connect({ timeout }, (err) => (err ? reject(err) : resolve()))),
        timeout + 1000,
        this.conn.brokers,
        'connecting the producer',
      );
    } catch (e) {
      client.disconnect(() => {});
      throw brokerError(authError ?? e, this.conn.brokers, 'connecting the producer');
    }
    return new Client(client);
  }
}
