// What a user sees when the cluster is wrong: one clear TierflowError within a bound, not a hang or a retry
// storm. Plus the SASL_SSL listener with the right credentials, and an undecodable record dead-lettered on Kafka.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKafkaBackbone } from '../../pipelines/backbone/kafka/index.js';
import { createBackbone } from '../../pipelines/backbone/index.js';
import { TierflowError } from '../../pipelines/errors.js';
import { DeadLetters, dlqSpecFor, dlqTopicFor } from '../../pipelines/backbone/dead-letter.js';
import { HEADER_DLQ_REASON, HEADER_DLQ_SOURCE } from '../../pipelines/backbone/contract.js';
import { codecFor } from '../../pipelines/streams/avro.js';
import { record, stop, uniqueName, waitFor } from '../../pipelines/backbone/conformance-support.js';
import { kafkaFromEnv, saslKafkaFromEnv } from '../helpers/kafka.js';
import { FRAMES } from '../../operators/streams/index.js';

const BOUND_MS = 15_000;

test('unreachable brokers: BROKER_UNREACHABLE within the bound', { timeout: 30_000 }, async () => {
  const started = Date.now();
  await assert.rejects(
    createBackbone({ type: 'kafka', brokers: ['127.0.0.1:1'] }),
    (e) => e instanceof TierflowError && e.code === 'BROKER_UNREACHABLE' && /127\.0\.0\.1:1/.test(e.message) && e.exitCode !== 0,
  );
  // A bound against hanging, not a speed check: the connection timeout is 10 s.
  assert.ok(Date.now() - started < BOUND_MS, `gave up after ${Date.now() - started} ms`);
});

test('SASL_SSL with SCRAM-SHA-512: the right password works, a wrong one is BROKER_AUTH', { timeout: 60_000 }, async () => {
  kafkaFromEnv(); // fails clearly without a broker
  const sasl = saslKafkaFromEnv();
  assert.ok(sasl, 'KAFKA_SASL_BROKERS, KAFKA_SASL_USER and KAFKA_SASL_PASSWORD are set by infra/kafka/with-broker.sh');
  const good = await createKafkaBackbone(sasl);
  try {
    const t = { name: uniqueName('sasl', 'roundtrip'), partitions: 1 };
    await good.provision([t]);
    const p = await good.producer();
    await p.send({ topic: t.name, key: 'k', value: Buffer.from('over tls') });
    const rec = await record(good, { groupId: uniqueName('sasl', 'g'), topics: [t.name], fromBeginning: true });
    await waitFor(() => rec.records.length >= 1, 'the record over SASL_SSL', 30_000);
    await stop(rec);
  } finally {
    await good.close();
  }
  const started = Date.now();
  await assert.rejects(
    createKafkaBackbone({ ...sasl, security: { ...sasl.security!, password: 'wrong-password' } }),
    (e) => e instanceof TierflowError && e.code === 'BROKER_AUTH' && !e.retriable,
  );
  assert.ok(Date.now() - started < BOUND_MS);
});

test('an undecodable record goes to <topic>.dlq with reason and source, and consumption continues (Kafka)', { timeout: 60_000 }, async () => {
  const b = await createKafkaBackbone(kafkaFromEnv());
  try {
    const t = { name: uniqueName('errors', 'frames'), partitions: 1 };
    await b.provision([t, dlqSpecFor(t)]);
    const p = await b.producer();
    const frames = codecFor(FRAMES);
    const frame = (seq: number) => frames.encode({ camera: 'door', epoch: 'e0', seq, captureTs: 1, width: 2, height: 2, format: 'jpeg', data: new Uint8Array([1, 2]) });
    await p.send({ topic: t.name, key: 'door', ...frame(0) });
    await p.send({ topic: t.name, key: 'door', value: Buffer.from('this is not avro, it is a string that runs on'), headers: frame(1).headers });
    await p.send({ topic: t.name, key: 'door', ...frame(2) });
    const dead = new DeadLetters(p);
    const seqs: number[] = [];
    const rec = await record(b, { groupId: uniqueName('errors', 'g'), topics: [t.name], fromBeginning: true }, async (batch, c) => {
      for (const { value } of await dead.sift(batch, (r) => frames.decode(r.value, r.headers))) seqs.push(value.seq);
      await c.commit(batch);
    });
    await waitFor(() => seqs.length >= 2, 'the two good frames', 30_000);
    await stop(rec);
    assert.deepEqual(seqs, [0, 2]);
    const dlq = await record(b, { groupId: uniqueName('errors', 'dlq'), topics: [dlqTopicFor(t.name)], fromBeginning: true });
    await waitFor(() => dlq.records.length >= 1, 'the dead letter', 30_000);
    await stop(dlq);
    assert.match(dlq.records[0]!.headers[HEADER_DLQ_REASON] ?? '', /RECORD_UNDECODABLE: not a frames\/v2 record/);
    assert.equal(dlq.records[0]!.headers[HEADER_DLQ_SOURCE], `${t.name}/0/1`);
  } finally {
    await b.close();
  }
});
