// A third-party Confluent client (@kafkajs/confluent-schema-registry) decodes what tierflow writes in the wire
// format, with the .avsc that `tierflow schemas` prints. The registry is the in-process stand-in of
// schema-registry.test.ts's shape (two endpoints): no real registry runs here (Apicurio's app from Maven Central
// needs artifacts Central does not serve; see the issue note), so registry-side rules are not exercised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { RegistryStreamCodec, SchemaRegistryClient } from './schema-registry.js';
import { streamAvsc } from '../cli/commands/schemas.js';
import { EVENTS } from '../../operators/streams/index.js';

test('@kafkajs/confluent-schema-registry decodes a sighting tierflow framed, and its schema is the printed .avsc', async () => {
  const schemas = new Map<number, string>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/vnd.schemaregistry.v1+json');
      if (req.method === 'POST' && /^\/subjects\/[^/]+\/versions$/.test(req.url ?? '')) {
        const schema = (JSON.parse(body) as { schema: string }).schema;
        const id = [...schemas].find(([, s]) => s === schema)?.[0] ?? schemas.size + 1;
        schemas.set(id, schema);
        res.end(JSON.stringify({ id }));
      } else if (req.method === 'GET' && /^\/schemas\/ids\/\d+/.test(req.url ?? '')) {
        const id = Number(/\d+/.exec(req.url!)![0]);
        res.end(JSON.stringify({ schema: schemas.get(id) }));
      } else res.writeHead(404).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const codec = RegistryStreamCodec.forStream(new SchemaRegistryClient(url), EVENTS);
    const event = { camera: 'cam-1', identity: 'ada', windowStart: 0, from: 1, to: 2, firstSeq: 0, lastSeq: 3, frames: 4, bestScore: 0.9, bestDistance: 0.3, window: 'tumbling 5s', track: 0 };
    const framed = await codec.encode('tierflow.t.results.events', event);
    const decoded = (await new SchemaRegistry({ host: url }).decode(framed)) as Record<string, unknown>;
    assert.deepEqual({ ...decoded }, event);
    const registered = JSON.parse(schemas.get(1)!) as { name: string; fields: unknown };
    const printed = JSON.parse(streamAvsc(EVENTS)) as { name: string; namespace: string; fields: unknown };
    assert.equal(registered.name, `${printed.namespace}.${printed.name}`);
    // The registered writer schema is avsc's canonical form, which drops field defaults (they matter to readers only).
    const withoutDefaults = (fields: unknown) => (fields as Array<Record<string, unknown>>).map(({ default: _d, ...f }) => f);
    assert.deepEqual(withoutDefaults(registered.fields), withoutDefaults(printed.fields));
  } finally {
    server.close();
  }
});
