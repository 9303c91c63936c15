// The data-path producer: node-rdkafka (librdkafka), idempotent with acks=all, batching with a short linger
// so frames move in large requests, murmur2 partitioning to match Java clients and the embedded backbone.
// Compression is per topic: librdkafka sets it per client, so one client per codec, created on first use.
import Kafka from 'node-rdkafka';
import type { Headers, ProducedRecord, Producer, TopicSpec } from '../contract.js';
import { TierflowError } from '../../errors.js';
import { brokerError, RD_QUEUE_FULL, within } from './errors.js';
import { DEFAULT_TIMEOUT_MS, rdkafkaSecurity, type KafkaConnection } from './connection.js';

type Codec = NonNullable<TopicSpec['compression']>;

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
    'message.timeout.ms': 60_000,
    'reconnect.backoff.max.ms': 2000,
  } as Kafka.ProducerGlobalConfig;
}

/** Topic-level settings: librdkafka applies these per topic handle, so they go in the topic config. */
export const producerTopicConfig = { 'request.required.acks': -1, partitioner: 'murmur2_random' } as Kafka.ProducerTopicConfig;

const toHeaders = (h: Headers | undefined): Kafka.MessageHeader[] | undefined =>
  h && Object.keys(h).length > 0 ? Object.entries(h).map(([k, v]) => ({ [k]: v })) : undefined;

export class KafkaProducer implements Producer {
  private readonly clients = new Map<Codec, Promise<Kafka.HighLevelProducer>>();
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

  async send(r: ProducedRecord): Promise<void> {
    if (this.closed) throw new TierflowError('BACKBONE_CLOSED', 'producer is closed');
    const client = await this.client(this.compressionOf(r.topic));
    const value = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    for (;;) {
      try {
        await new Promise<void>((resolve, reject) => {
          client.produce(r.topic, r.partition ?? null, value, r.key, Date.now(), toHeaders(r.headers) as never, (err: unknown) =>
            err ? reject(err as Error) : resolve(),
          );
        });
        return;
      } catch (e) {
        // librdkafka's local queue is full: the cluster is slower than we produce. Wait, then try again.
        if ((e as { code?: number }).code === RD_QUEUE_FULL) {
          await new Promise((res) => setTimeout(res, 5));
          continue;
        }
        throw new TierflowError('INTERNAL', `producing to ${r.topic} failed: ${(e as Error).message}`, { cause: e, retriable: true });
      }
    }
  }

  async flush(): Promise<void> {
    const timeout = this.conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    await Promise.all(
      [...this.clients.values()].map(async (c) => {
        const client = await c;
        await new Promise<void>((resolve, reject) => client.flush(6 * timeout, (err) => (err ? reject(brokerError(err, this.conn.brokers, 'flushing')) : resolve())));
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
        if (client) await new Promise<void>((resolve) => client.disconnect(() => resolve()));
      }),
    );
  }

  private client(codec: Codec): Promise<Kafka.HighLevelProducer> {
    let c = this.clients.get(codec);
    if (!c) {
      c = this.connect(codec);
      c.catch(() => this.clients.delete(codec));
      this.clients.set(codec, c);
    }
    return c;
  }

  private async connect(codec: Codec): Promise<Kafka.HighLevelProducer> {
    const timeout = this.conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const client = new Kafka.HighLevelProducer(producerConfig(this.conn, codec), producerTopicConfig);
    let authError: unknown;
    client.on('event.error', (e: { code?: number }) => {
      if (e.code === -169) authError = e;
    });
    // Delivery reports are collected on each poll: poll often while sends are outstanding (idle clients do not poll).
    client.setPollInterval(5);
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
    return client;
  }
}
