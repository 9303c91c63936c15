import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, shouldGiveUp } from './backoff.js';

const policy = { initialMs: 500, maxMs: 10_000, maxAttempts: 0 };

test('delays double from initialMs and stop growing at maxMs', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, policy)),
    [500, 1000, 2000, 4000, 8000, 10_000, 10_000],
  );
});

test('huge attempt counts stay finite', () => {
  assert.equal(backoffDelay(10_000, policy), 10_000);
});

test('maxAttempts 0 retries forever; otherwise gives up at the limit', () => {
  assert.equal(shouldGiveUp(1_000_000, policy), false);
  assert.equal(shouldGiveUp(2, { ...policy, maxAttempts: 3 }), false);
  assert.equal(shouldGiveUp(3, { ...policy, maxAttempts: 3 }), true);
});
