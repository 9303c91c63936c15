// Reading one partition end to end outside any consumer group, for state restores and tables: the partition's
// watermarks are read first, then records are consumed from the low watermark (or `from`) until the high one as of
// that moment. Records written after the call started are not waited for: whoever restores owns the partition, so
// nobody else writes.
//
// One client per topic, kept connected: a warm standby reads its changelogs ahead through it, and the catch-up at
// its switch then costs a watermark query instead of a new connection (~100-300 ms on a busy machine, paid once per
// partition, while the partition's records wait). Its reads take turns: a client has one assignment at a time.
import { restoreGroupName } from '../../plan/names.js';
import Kafka from 'node-rdkafka';
import type { PartitionEntry } from '../contract.js';
import { brokerError, within } from './errors.js';
import { takeBatch } from './take.js';
import { toHeaders } from './messages.js';
import { DEFAULT_TIMEOUT_MS, rdkafkaSecurity, type KafkaConnection } from './connection.js';

export class PartitionReaders {
  private readonly readers = new Map<string, TopicReader>();

  constructor(private readonly conn: KafkaConnection) {}

  read(topic: string, partition: number, from = 0): Promise<PartitionEntry[]> {
    let reader = this.readers.get(topic);
    if (!reader) this.readers.set(topic, (reader = new TopicReader(this.conn, topic)));
    return reader.read(partition, from);
  }

  async close(): Promise<void> {
    await Promise.all([...this.readers.values()].map((r) => r.close()));
  }
}

class TopicReader {
  private client: Kafka.KafkaConsumer | null = null;
  private turn: Promise<unknown> = Promise.resolve();
  private readonly timeout: number;

  constructor(
    private readonly conn: KafkaConnection,
    private readonly topic: string,
  ) {
    this.timeout = conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  read(partition: number, from: number): Promise<PartitionEntry[]> {
    const run = () => this.readNow(partition, from);
    const result = this.turn.then(run, run);
    this.turn = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await this.turn;
    await this.drop();
  }

  private async readNow(partition: number, from: number): Promise<PartitionEntry[]> {
    const { topic, timeout } = this;
    const where = `reading ${topic}/${partition}`;
    try {
      const client = await this.connected(where);
      const marks = await new Promise<Kafka.WatermarkOffsets>((resolve, reject) =>
        client.queryWatermarkOffsets(topic, partition, timeout, (err, o) => (err ? reject(err) : resolve(o))),
      );
      const out: PartitionEntry[] = [];
      const first = Math.max(marks.lowOffset, from);
      if (marks.highOffset <= first) return out;
      client.assign([{ topic, partition, offset: first }]);
      try {
        const deadline = Date.now() + 6 * timeout;
        let last = first - 1;
        while (last < marks.highOffset - 1) {
          if (Date.now() > deadline) throw new Error(`only reached offset ${last} of ${marks.highOffset} within ${(6 * timeout) / 1000} s`);
          // What is there, without waiting out a consume timeout after the last record (take.ts).
          const messages = await takeBatch(client, 1000, 200);
          for (const m of messages) {
            if (m.offset >= marks.highOffset || m.partition !== partition) continue;
            last = Math.max(last, m.offset);
            out.push({ offset: m.offset, key: m.key === undefined || m.key === null ? '' : m.key.toString(), value: m.value ?? null, headers: toHeaders(m.headers) });
          }
          // A transaction's commit marker (MirrorMaker 2 writes exactly once, in transactions) takes an offset that is
          // never delivered: past the last record, the position tells the end was reached.
          if (messages.length === 0 && (client.position([{ topic, partition }])[0]?.offset ?? -1) >= marks.highOffset) break;
        }
      } finally {
        client.unassign();
      }
      return out;
    } catch (e) {
      // A client that failed (a broker gone) is not trusted with the next read: that one connects anew.
      await this.drop();
      throw brokerError(e, this.conn.brokers, where);
    }
  }

  private async connected(where: string): Promise<Kafka.KafkaConsumer> {
    if (this.client?.isConnected()) return this.client;
    await this.drop();
    const client = new Kafka.KafkaConsumer(
      {
        'metadata.broker.list': this.conn.brokers.join(','),
        'client.id': this.conn.clientId ?? 'tierflow',
        ...rdkafkaSecurity(this.conn),
        // assign() reads without joining: the group id is never used for membership or commits.
        'group.id': restoreGroupName(this.topic),
        'enable.auto.commit': false,
        'fetch.wait.max.ms': 50,
        'max.partition.fetch.bytes': 8 << 20,
      } as Kafka.ConsumerGlobalConfig,
      { 'auto.offset.reset': 'earliest' },
    );
    this.client = client;
    await within(new Promise<void>((resolve, reject) => client.connect({ timeout: this.timeout }, (err) => (err ? reject(err) : resolve()))), this.timeout + 1000, this.conn.brokers, where);
    return client;
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    await new Promise<void>((resolve) => {
      if (!client.isConnected()) return resolve();
      const timer = setTimeout(resolve, 10_000);
      client.disconnect(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
