import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type Kafka from 'node-rdkafka';
import { Client } from './producer.js';

/** Enough of a librdkafka producer for the delivery bookkeeping: produce queues, reports come as events. */
class FakeRd extends EventEmitter {
  produced: number[] = [];
  produce(_t: string, _p: number | null, _v: Buffer | null, _k: Buffer, _ts: number, opaque: number): void {
    this.produced.push(opaque);
  }
  poll(): void {}
}

test('a send without a delivery report past the deadline fails, naming the topic and what librdkafka last said; a reported one settles as reported', async () => {
  const rd = new FakeRd();
  const client = new Client(rd as unknown as Kafka.Producer, 1000);
  const settled: Array<{ n: number; err: unknown }> = [];
  for (const n of [0, 1, 2]) client.produce('t.matches', null, Buffer.from('v'), Buffer.from('k'), undefined, { settle: (err) => settled.push({ n, err }) });
  rd.emit('delivery-report', null, { opaque: rd.produced[1] });
  rd.emit('event.error', { message: 'Local: Fatal error', code: -150 });
  client.expire(Date.now() + 500);
  assert.deepEqual(settled.map((s) => s.n), [1], 'before the deadline only the reported send settled');
  client.expire(Date.now() + 1500);
  assert.deepEqual(settled.map((s) => s.n), [1, 0, 2]);
  assert.equal(settled[0]!.err, null);
  for (const s of settled.slice(1)) {
    assert.match(String((s.err as Error).message), /no delivery report for a record to t\.matches within 1 s/);
    assert.match(String((s.err as Error).message), /librdkafka last said: Local: Fatal error \(code -150\)/);
  }
  rd.emit('delivery-report', null, { opaque: rd.produced[0] });
  assert.equal(settled.length, 3, 'a report arriving after the deadline settles nothing twice');
  client.abandon(new Error('closed'));
});
