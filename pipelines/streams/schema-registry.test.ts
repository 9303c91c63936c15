// The byte layout is checked directly; the registry client talks to a minimal in-process HTTP registry that
// implements only the two endpoints tierflow calls (POST /subjects/:s/versions, GET /schemas/ids/:id). It is not
// a real Confluent/Karapace server: compatibility rules and subject versions are not exercised here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { frameWire, unframeWire, SchemaRegistryClient, RegistryStreamCodec } from './schema-registry.js';
import { StreamCodec, type AvroSchema } from './avro.js';
import { FACE_SCHEMAS } from '../../operators/streams/schemas.js';
import { TierflowError } from '../errors.js';
import { EVENTS } from '../../operators/streams/index.js';

test('wire format: magic byte 0, big-endian schema id, then the Avro body', () => {
  const framed = frameWire(0x01020304, new Uint8Array([9, 8, 7]));
  assert.deepEqual([...framed], [0, 1, 2, 3, 4, 9, 8, 7]);
  const { schemaId, body } = unframeWire(framed);
  assert.equal(schemaId, 0x01020304);
  assert.deepEqual([...body], [9, 8, 7]);
  assert.throws(() => unframeWire(new Uint8Array([1, 0, 0, 0, 1, 5])), (e) => e instanceof TierflowError && e.code === 'RECORD_UNDECODABLE');
  assert.throws(() => unframeWire(new Uint8Array([0, 0])), (e) => e instanceof TierflowError && e.code === 'RECORD_UNDECODABLE');
});

async function fakeRegistry(): Promise<{ server: Server; url: string; calls: string[] }> {
  const bySchema = new Map<string, number>();
  const byId = new Map<number, string>();
  const calls: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls.push(`${req.method} ${req.url}`);
      const reg = /^\/subjects\/([^/]+)\/versions$/.exec(req.url ?? '');
      const get = /^\/schemas\/ids\/([0-9]+)$/.exec(req.url ?? '');
      if (req.method === 'POST' && reg) {
        const schema = (JSON.parse(body) as { schema: string }).schema;
        if (!bySchema.has(schema)) {
          bySchema.set(schema, bySchema.size + 1);
          byId.set(bySchema.size, schema);
        }
        res.end(JSON.stringify({ id: bySchema.get(schema) }));
      } else if (req.method === 'GET' && get && byId.has(Number(get[1]))) {
        res.end(JSON.stringify({ schema: byId.get(Number(get[1])) }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ error_code: 40403, message: 'Schema not found' }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

test('registry codec: registers once per subject, and a newer reader reads an older writer by schema id', async () => {
  const { server, url, calls } = await fakeRegistry();
  try {
    const client = new SchemaRegistryClient(url);
    const v1 = FACE_SCHEMAS.events[0]! as { fields: unknown[] };
    const v2 = { ...v1, fields: [...v1.fields, { name: 'zone', type: ['null', 'string'], default: null }] } as AvroSchema;
    const writer = new RegistryStreamCodec(client, new StreamCodec(EVENTS, [v1 as AvroSchema]));
    const reader = new RegistryStreamCodec(new SchemaRegistryClient(url), new StreamCodec(EVENTS, [v1 as AvroSchema, v2]));
    const event = { camera: 'c', identity: 'ada', from: 1, to: 2, firstSeq: 0, lastSeq: 3, frames: 4, bestScore: 0.9, bestDistance: 0.3, window: 'sliding 2s' };
    const a = await writer.encode('t.events', event as never);
    const b = await writer.encode('t.events', { ...event, frames: 5 } as never);
    assert.equal(a[0], 0);
    assert.equal(a.readUInt32BE(1), 1);
    assert.deepEqual({ ...(await reader.decode(b)) }, { ...event, frames: 5, zone: null });
    assert.deepEqual(calls, ['POST /subjects/t.events-value/versions', 'GET /schemas/ids/1']);
    await assert.rejects(reader.decode(frameWire(99, new Uint8Array([1]))), /answered 404/);
  } finally {
    server.close();
  }
});
