import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PriorityTurns, turnsFor } from './priority.js';

const tick = () => new Promise((r) => setImmediate(r));

test('a lower priority waits while a higher one runs or waits, and goes once none does', async () => {
  const turns = new PriorityTurns();
  const high = await turns.take('high');
  const got: string[] = [];
  const normal = turns.take('normal').then((r) => (got.push('normal'), r));
  const low = turns.take('low').then((r) => (got.push('low'), r));
  await tick();
  assert.deepEqual(got, []);
  assert.deepEqual(turns.waitingBy(), { low: 1, normal: 1, high: 0 });
  high();
  await tick();
  assert.deepEqual(got, ['normal'], 'normal goes first; low still waits behind it');
  (await normal)();
  await tick();
  assert.deepEqual(got, ['normal', 'low']);
  (await low)();
});

test('waves of one priority never wait for each other, and a high wave never waits for a low one already running', async () => {
  const turns = new PriorityTurns();
  const lows = await Promise.all([turns.take('low'), turns.take('low'), turns.take('low')]);
  const highs = await Promise.all([turns.take('high'), turns.take('high')]);
  let lateLow = false;
  void turns.take('low').then(() => (lateLow = true));
  lows.forEach((r) => r());
  highs[0]!();
  highs[0]!(); // a second call does nothing: one high is still running
  await tick();
  assert.equal(lateLow, false);
  highs[1]!();
  await tick();
  assert.equal(lateLow, true);
});

test('a worker whose chains share one priority gets no turns at all', () => {
  assert.equal(turnsFor(['normal', 'normal']), undefined);
  assert.ok(turnsFor(['normal', 'high']) instanceof PriorityTurns);
});
