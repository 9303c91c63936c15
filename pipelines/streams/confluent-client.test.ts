// A third-party Confluent client (@kafkajs/confluent-schema-registry) decodes what tierflow writes in the wire
// format, with the .avsc that `tierflow schemas` prints. The registry is test/helpers/registry-stand-in.ts (it says
// why no real one runs here); test/pipeline/clip-confluent.test.ts reads a run's results topic the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { RegistryStreamCodec, SchemaRegistryClient } from './schema-registry.js';
import { streamAvsc } from '../cli/commands/schemas.js';
import { EVENTS } from '../../operators/streams/index.js';
import { RegistryStandIn } from '../../test/helpers/registry-stand-in.js';

test('@kafkajs/confluent-schema-registry decodes a sighting tierflow framed, and its schema is the printed .avsc', async () => {
  const registry = await RegistryStandIn.start();
  try {
    const url = registry.url;
    const codec = RegistryStreamCodec.forStream(new SchemaRegistryClient(url), EVENTS);
    const event = { camera: 'cam-1', identity: 'ada', windowStart: 0, from: 1, to: 2, firstSeq: 0, lastSeq: 3, frames: 4, bestScore: 0.9, bestDistance: 0.3, window: 'tumbling 5s', track: 0 };
    const framed = await codec.encode('tierflow.t.results.events', event);
    const decoded = (await new SchemaRegistry({ host: url }).decode(framed)) as Record<string, unknown>;
    assert.deepEqual({ ...decoded }, event);
    const registered = JSON.parse(registry.schemas.get(1)!) as { name: string; fields: unknown };
    const printed = JSON.parse(streamAvsc(EVENTS)) as { name: string; namespace: string; fields: unknown };
    assert.equal(registered.name, `${printed.namespace}.${printed.name}`);
    // The registered writer schema is avsc's canonical form, which drops field defaults (they matter to readers only).
    const withoutDefaults = (fields: unknown) => (fields as Array<Record<string, unknown>>).map(({ default: _d, ...f }) => f);
    assert.deepEqual(withoutDefaults(registered.fields), withoutDefaults(printed.fields));
  } finally {
    await registry.close();
  }
});
