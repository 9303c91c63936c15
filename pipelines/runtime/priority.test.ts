import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PriorityTurns, turnsFor } from './priority.js';

test('turns go to the highest priority waiting, first come first served within one', async () => {
  const turns = new PriorityTurns(1);
  const order: string[] = [];
  const first = await turns.take('low');
  const waits = (['low', 'normal', 'high', 'high', 'low'] as const).map((p, i) => turns.take(p).then((release) => {
    order.push(`${p}${i}`);
    release();
  }));
  assert.deepEqual(turns.waitingBy(), { low: 2, normal: 1, high: 2 });
  first();
  await Promise.all(waits);
  assert.deepEqual(order, ['high2', 'high3', 'normal1', 'low0', 'low4']);
});

test('a low turn is not taken while a higher one waits, even with a slot about to free; releasing twice frees once', async () => {
  const turns = new PriorityTurns(2);
  const a = await turns.take('high');
  const b = await turns.take('low');
  let lowGot = false;
  const high = turns.take('high');
  void turns.take('low').then(() => (lowGot = true));
  b();
  b();
  const h = await high;
  await new Promise((r) => setImmediate(r));
  assert.equal(lowGot, false, 'both slots are held (a, and the second high), so the waiting low has none');
  a();
  await new Promise((r) => setImmediate(r));
  assert.equal(lowGot, true);
  h();
});

test('a worker whose chains share one priority gets no turns at all', () => {
  assert.equal(turnsFor(['normal', 'normal']), undefined);
  assert.ok(turnsFor(['normal', 'high']) instanceof PriorityTurns);
});
