// The Kafka backbone: kafkajs admin for provisioning and the reachability check, node-rdkafka for records.
import type { Backbone, Consumer, ConsumerOptions, PartitionEntry, Producer, TopicSpec } from '../contract.js';
import { PartitionReaders } from './restore.js';
import { TierflowError } from '../../errors.js';
import { KafkaAdmin } from './admin.js';
import { KafkaConsumer } from './consumer.js';
import { KafkaProducer } from './producer.js';
import type { KafkaConnection } from './connection.js';

export type { KafkaConnection, KafkaSecurity } from './connection.js';

/** Connects (bounded: BROKER_UNREACHABLE or BROKER_AUTH within the connection's timeout) and returns the backbone. */
export async function createKafkaBackbone(conn: KafkaConnection): Promise<Backbone> {
  const admin = await KafkaAdmin.connect(conn);
  return new KafkaBackbone(conn, admin);
}

class KafkaBackbone implements Backbone {
  readonly kind = 'kafka' as const;
  private readonly compression = new Map<string, NonNullable<TopicSpec['compression']>>();
  private readonly open = new Set<{ close(): Promise<void> }>();
  private closed = false;
  private readonly readers: PartitionReaders;

  constructor(
    private readonly conn: KafkaConnection,
    private readonly admin: KafkaAdmin,
  ) {
    this.readers = new PartitionReaders(conn);
  }

  async provision(topics: TopicSpec[]): Promise<void> {
    this.assertOpen();
    if (this.conn.provisions !== false) await this.admin.provision(topics);
    for (const t of topics) this.compression.set(t.name, t.compression ?? 'none');
  }

  async producer(): Promise<Producer> {
    this.assertOpen();
    const p = await new KafkaProducer(this.conn, (topic) => this.compression.get(topic) ?? 'none').start();
    this.open.add(p);
    return p;
  }

  async consumer(options: ConsumerOptions): Promise<Consumer> {
    this.assertOpen();
    const c = await new KafkaConsumer(this.conn, options).connect();
    this.open.add(c);
    return c;
  }

  readPartition(topic: string, partition: number, from?: number): Promise<PartitionEntry[]> {
    this.assertOpen();
    return this.readers.read(topic, partition, from);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.open].map((c) => c.close().catch(() => {})));
    await this.readers.close().catch(() => {});
    await this.admin.close().catch(() => {});
  }

  private assertOpen(): void {
    if (this.closed) throw new TierflowError('BACKBONE_CLOSED', 'Kafka backbone is closed');
  }
}
