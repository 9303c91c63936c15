// The same flagship topology as the embedded pipeline test, on the real Kafka broker: the results topic, read
// afterwards by an ordinary consumer, holds sightings of both people of the clip on every camera.
import '../helpers/operators.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { openBackbone } from '../../pipelines/backbone/open.js';
import { codecFor } from '../../pipelines/streams/avro.js';
import type { SightingEvent } from '../../operators/streams/records.js';
import { CLIP_IDENTITIES, writeClipTopology } from '../helpers/clip-topology.js';
import { kafkaFromEnv } from '../helpers/kafka.js';
import { runClip } from '../helpers/run-clip.js';
import { EVENTS } from '../../operators/streams/index.js';

test('on Kafka, the results topic shows both enrolled people on every camera', { timeout: 240_000 }, async () => {
  const { brokers } = kafkaFromEnv();
  const name = `clip-kafka-${Date.now().toString(36)}`;
  const { dir, file } = await writeClipTopology({ name, backbone: { type: 'kafka', brokers }, cameras: 2 });
  try {
    const { plan, summary } = await runClip(file, dir);
    const results = plan.topics.find((t) => t.producer === 'results')!.name;
    assert.ok(summary.frames >= 96, `frames ${summary.frames}`);

    const backbone = await openBackbone({ type: 'kafka', brokers });
    const consumer = await backbone.consumer({ groupId: `${name}-reader`, topics: [results], fromBeginning: true });
    const events: SightingEvent[] = [];
    const done = consumer.run(async (records) => {
      for (const r of records) events.push(codecFor(EVENTS).decode(r.value, r.headers));
    });
    const deadline = Date.now() + 60_000;
    const complete = () => ['cam-1', 'cam-2'].every((cam) => CLIP_IDENTITIES.every((who) => events.some((e) => e.camera === cam && e.identity === who)));
    while (!complete() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    await consumer.close();
    await done;
    await backbone.close();
    for (const cam of ['cam-1', 'cam-2']) {
      const seen = new Set(events.filter((e) => e.camera === cam).map((e) => e.identity));
      for (const who of CLIP_IDENTITIES) assert.ok(seen.has(who), `${cam} should show ${who} on ${results}; saw ${[...seen].join(', ')}`);
    }
    assert.equal(events.length, summary.events, 'the results topic holds every event the run reported, once');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
