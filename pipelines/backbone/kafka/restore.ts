// Reading one partition end to end outside any consumer group, for state restores: the partition's watermarks
// are read first, then records are consumed from the low watermark until the high one as of that moment. Records
// written after the call started are not waited for: whoever restores owns the partition, so nobody else writes.
import { restoreGroupName } from '../../plan/names.js';
import Kafka from 'node-rdkafka';
import type { PartitionEntry } from '../contract.js';
import { brokerError, RD, within } from './errors.js';
import { toHeaders } from './messages.js';
import { DEFAULT_TIMEOUT_MS, rdkafkaSecurity, type KafkaConnection } from './connection.js';

export async function readKafkaPartition(conn: KafkaConnection, topic: string, partition: number, from = 0): Promise<PartitionEntry[]> {
  const timeout = conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const client = new Kafka.KafkaConsumer(
    {
      'metadata.broker.list': conn.brokers.join(','),
      'client.id': conn.clientId ?? 'tierflow',
      ...rdkafkaSecurity(conn),
      // assign() reads without joining: the group id is never used for membership or commits.
      'group.id': restoreGroupName(topic),
      'enable.auto.commit': false,
      'fetch.wait.max.ms': 50,
      'max.partition.fetch.bytes': 8 << 20,
    } as Kafka.ConsumerGlobalConfig,
    { 'auto.offset.reset': 'earliest' },
  );
  const where = `reading ${topic}/${partition}`;
  try {
    await within(new Promise<void>((resolve, reject) => client.connect({ timeout }, (err) => (err ? reject(err) : resolve()))), timeout + 1000, conn.brokers, where);
    const marks = await new Promise<Kafka.WatermarkOffsets>((resolve, reject) =>
      client.queryWatermarkOffsets(topic, partition, timeout, (err, o) => (err ? reject(err) : resolve(o))),
    );
    const out: PartitionEntry[] = [];
    const first = Math.max(marks.lowOffset, from);
    if (marks.highOffset <= first) return out;
    client.assign([{ topic, partition, offset: first }]);
    client.setDefaultConsumeTimeout(200);
    const deadline = Date.now() + 6 * timeout;
    let last = first - 1;
    while (last < marks.highOffset - 1) {
      if (Date.now() > deadline) throw new Error(`only reached offset ${last} of ${marks.highOffset} within ${(6 * timeout) / 1000} s`);
      const messages = await new Promise<Kafka.Message[]>((resolve, reject) => client.consume(1000, (err, m) => (err && (err as { code?: number }).code !== RD.ERR__TIMED_OUT ? reject(err) : resolve(m ?? []))));
      for (const m of messages) {
        if (m.offset >= marks.highOffset) continue;
        last = Math.max(last, m.offset);
        out.push({ offset: m.offset, key: m.key === undefined || m.key === null ? '' : m.key.toString(), value: m.value ?? null, headers: toHeaders(m.headers) });
      }
      // A transaction's commit marker (MirrorMaker 2 writes exactly once, in transactions) takes an offset that is
      // never delivered: past the last record, the position tells the end was reached.
      if (messages.length === 0 && (client.position([{ topic, partition }])[0]?.offset ?? -1) >= marks.highOffset) break;
    }
    return out;
  } catch (e) {
    throw brokerError(e, conn.brokers, where);
  } finally {
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
