// With `backbone.schemaRegistry`, the results topic is in the Confluent wire format: a consumer that knows nothing of
// tierflow (librdkafka, with @kafkajs/confluent-schema-registry's deserializer) reads every event of a run on the real
// broker. Until 2026-12-07 the option was accepted and ignored. The registry is the stand-in (registry-stand-in.ts
// says why no real one runs here). The consumer is node-rdkafka used directly: kafkajs cannot read the topic without
// an LZ4 codec plugin (results are LZ4-compressed, as every librdkafka or Java client reads them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import Kafka from 'node-rdkafka';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { avroRecordCodec, withSchemaRegistry } from '../../pipelines/runtime/codec.js';
import { streamsOf } from '../../pipelines/streams/registry.js';
import { CLIP_IDENTITIES, writeClipTopology } from '../helpers/clip-topology.js';
import { kafkaFromEnv } from '../helpers/kafka.js';
import { registry as operators } from '../helpers/operators.js';
import { RegistryStandIn } from '../helpers/registry-stand-in.js';
import { runClip } from '../helpers/run-clip.js';

test('with a schema registry, a plain Confluent consumer decodes every event on the results topic', { timeout: 240_000 }, async () => {
  const { brokers } = kafkaFromEnv();
  const registry = await RegistryStandIn.start();
  const name = `clip-confluent-${Date.now().toString(36)}`;
  const { dir, file } = await writeClipTopology({ name, backbone: { type: 'kafka', brokers, schemaRegistry: registry.url }, cameras: 1 });
  const consumer = new Kafka.KafkaConsumer({ 'metadata.broker.list': brokers.join(','), 'group.id': `${name}-reader`, 'enable.auto.commit': false }, { 'auto.offset.reset': 'earliest' });
  try {
    const { plan, summary } = await runClip(file, dir, () => {}, (p) => withSchemaRegistry(avroRecordCodec(), p, streamsOf(operators.operators)));
    const results = plan.topics.find((t) => t.kind === 'results')!.name;
    assert.ok(summary.events > 0, 'the run reported events');
    assert.deepEqual(registry.subjects, [`${results}-value`], 'only the published topic is registered, under TopicNameStrategy');

    const sr = new SchemaRegistry({ host: registry.url });
    const events: Array<Record<string, unknown>> = [];
    const magic: number[] = [];
    await new Promise<void>((resolve, reject) => consumer.connect({ timeout: 10_000 }, (err) => (err ? reject(err) : resolve())));
    consumer.subscribe([results]);
    const deadline = Date.now() + 60_000;
    while (events.length < summary.events && Date.now() < deadline) {
      const messages = await new Promise<Kafka.Message[]>((resolve) => consumer.consume(100, (err, m) => resolve(err ? [] : m)));
      for (const m of messages) {
        magic.push(m.value![0]!);
        events.push((await sr.decode(m.value!)) as Record<string, unknown>);
      }
    }
    assert.equal(events.length, summary.events, 'every event the run reported, decoded by the Confluent deserializer');
    assert.ok(magic.every((b) => b === 0), 'every value starts with the wire format magic byte');
    const seen = new Set(events.map((e) => e['identity']));
    assert.ok(CLIP_IDENTITIES.some((who) => seen.has(who)), `an enrolled person among ${[...seen].join(', ')}`);
    assert.ok(events.every((e) => e['camera'] === 'cam-1' && typeof e['frames'] === 'number' && (e['frames'] as number) > 0));
  } finally {
    if (consumer.isConnected()) await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
