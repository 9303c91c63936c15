// Reading every partition of a topic from its beginning without a consumer group (kcat -C does the same): the fault
// suite's observer must not stall where the pipeline's own group consumers might. Group members rejoin after a
// broker restart, and a member that fails to rejoin reads nothing; a reader that assigns its partitions itself only
// reconnects its fetches. A consume error is waited out and reading goes on from the same positions.
import Kafka from 'node-rdkafka';
import type { ConsumedRecord } from '../../pipelines/backbone/contract.js';
import { consumedRecord } from '../../pipelines/backbone/kafka/messages.js';
import { rdkafkaSecurity, type KafkaConnection } from '../../pipelines/backbone/kafka/connection.js';
import { takeBatch } from '../../pipelines/backbone/kafka/take.js';
import { uniqueName } from './deploy.js';

const TOPIC_WAIT_MS = 120_000;

export class TopicTail {
  /** Consume errors seen and waited out (a broker outage shows here), with the time. */
  readonly errors: string[] = [];
  private closed = false;
  private loop: Promise<void> = Promise.resolve();

  private readonly assigned = new Set<number>();
  private lastLook = Date.now();

  private constructor(
    private readonly client: Kafka.KafkaConsumer,
    private readonly topic: string,
    private readonly timeoutMs: number,
  ) {}

  /** Connects, assigns every partition `topic` has at offset 0 and calls `onRecords` with what arrives until close. */
  static async open(conn: KafkaConnection, topic: string, onRecords: (records: ConsumedRecord[]) => void): Promise<TopicTail> {
    const timeout = conn.timeoutMs ?? 10_000;
    const client = new Kafka.KafkaConsumer(
      {
        'metadata.broker.list': conn.brokers.join(','),
        'client.id': 'tierflow-faults-tail',
        ...rdkafkaSecurity(conn),
        // librdkafka wants a group id; assign() never joins it and nothing is committed.
        'group.id': uniqueName('faults-tail'),
        'enable.auto.commit': false,
        'fetch.wait.max.ms': 50,
        // A batch is taken as the engine's consumer takes it (take.ts), without waiting for the partitions' end.
        'enable.partition.eof': false,
        'reconnect.backoff.max.ms': 1000,
      } as Kafka.ConsumerGlobalConfig,
      { 'auto.offset.reset': 'earliest' },
    );
    await new Promise<void>((resolve, reject) => client.connect({ timeout }, (err) => (err ? reject(err) : resolve())));
    // A topic another process creates (a deploy, MirrorMaker) may not be there yet: it is waited for, bounded.
    const deadline = Date.now() + TOPIC_WAIT_MS;
    let partitions: Kafka.PartitionMetadata[] = [];
    for (;;) {
      const md = await new Promise<Kafka.Metadata>((resolve, reject) => client.getMetadata({ topic, timeout }, (err, m) => (err ? reject(err) : resolve(m))));
      partitions = md.topics.find((t) => t.name === topic)?.partitions ?? [];
      if (partitions.length > 0) break;
      if (Date.now() > deadline) {
        client.disconnect(() => {});
        throw new Error(`topic ${topic} has no partitions after ${TOPIC_WAIT_MS / 1000} s (does it exist?)`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    client.assign(partitions.map((p) => ({ topic, partition: p.id, offset: 0 })));
    const tail = new TopicTail(client, topic, timeout);
    for (const p of partitions) tail.assigned.add(p.id);
    tail.loop = tail.read(onRecords);
    return tail;
  }

  /**
   * A group member learns of partitions from metadata all along; an assigned reader has to look itself. Partitions
   * that show up after open (metadata read while a just-created topic was still spreading) are added from offset 0:
   * a reader that missed one would count everything on it as lost.
   */
  private async addNewPartitions(): Promise<void> {
    const md = await new Promise<Kafka.Metadata>((resolve, reject) => this.client.getMetadata({ topic: this.topic, timeout: this.timeoutMs }, (err, m) => (err ? reject(err) : resolve(m))));
    const fresh = (md.topics.find((t) => t.name === this.topic)?.partitions ?? []).map((p) => p.id).filter((id) => !this.assigned.has(id));
    if (fresh.length === 0) return;
    this.client.incrementalAssign(fresh.map((partition) => ({ topic: this.topic, partition, offset: 0 })));
    for (const id of fresh) this.assigned.add(id);
    this.errors.push(`${new Date().toISOString()} partitions ${fresh.join(',')} of ${this.topic} appeared after open: added from offset 0`);
  }

  private async read(onRecords: (records: ConsumedRecord[]) => void): Promise<void> {
    while (!this.closed) {
      if (Date.now() - this.lastLook > 2000) {
        this.lastLook = Date.now();
        await this.addNewPartitions().catch((e: unknown) => this.errors.push(`${new Date().toISOString()} metadata: ${String(e)}`));
      }
      // As the engine's consumer reads (pipelines/backbone/kafka/take.ts): a record is not held for the next fetch.
      const messages = await takeBatch(this.client, 500, 200).catch(async (err: Error) => {
        this.errors.push(`${new Date().toISOString()} ${err.message}`);
        await new Promise((r) => setTimeout(r, 500));
        return [];
      });
      if (messages.length === 0) continue;
      onRecords(messages.map(consumedRecord));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.loop;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 10_000);
      this.client.disconnect(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
