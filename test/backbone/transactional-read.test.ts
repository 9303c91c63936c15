// Reading a partition that was written in transactions (as MirrorMaker 2 writes exactly once): the commit markers
// take offsets that are never delivered, and an aborted transaction's records are never read. readPartition must
// still end at the partition's end, and a reader that asks again from its last offset + 1 must get nothing new
// without waiting. Against the real broker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { createKafkaBackbone } from '../../pipelines/backbone/kafka/index.js';
import { kafkaFromEnv } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/deploy.js';

test('readPartition ends at the end of a partition written in transactions, committed records only', { timeout: 120_000 }, async () => {
  const conn = kafkaFromEnv();
  const topic = uniqueName('tierflow.txread');
  const backbone = await createKafkaBackbone({ ...conn, clientId: 'txread-test' });
  const kafka = new Kafka({ clientId: 'txread-writer', brokers: conn.brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ transactionalId: uniqueName('txread'), idempotent: true, maxInFlightRequests: 1 });
  try {
    await backbone.provision([{ name: topic, partitions: 1, compacted: true }]);
    await producer.connect();
    const write = async (records: Array<{ key: string; value: string | null }>, commit: boolean) => {
      const tx = await producer.transaction();
      await tx.send({ topic, messages: records.map((r) => ({ key: r.key, value: r.value, partition: 0 })) });
      await (commit ? tx.commit() : tx.abort());
    };
    await write([{ key: 'ada', value: 'a1' }, { key: 'bob', value: 'b1' }], true);
    await write([{ key: 'eve', value: 'never' }], false);
    await write([{ key: 'bob', value: null }], true);
    const started = Date.now();
    const read = await backbone.readPartition(topic, 0);
    assert.ok(Date.now() - started < 10_000, `read took ${Date.now() - started} ms: it waited for offsets that never come`);
    assert.deepEqual(read.map((r) => [r.key, r.value === null ? null : Buffer.from(r.value).toString()]), [['ada', 'a1'], ['bob', 'b1'], ['bob', null]]);
    const again = await backbone.readPartition(topic, 0, read.at(-1)!.offset + 1);
    assert.deepEqual(again, []);
  } finally {
    await producer.disconnect().catch(() => undefined);
    await backbone.close();
  }
});
