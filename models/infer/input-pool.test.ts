import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withInput } from './input-pool.js';

test('an input is reused for the next call of the same length, and never handed out twice at once', async () => {
  let first: Float32Array | undefined;
  await withInput(16, async (a) => {
    first = a;
    await withInput(16, async (b) => assert.notEqual(b, a, 'a busy array was handed out again'));
  });
  await withInput(16, async (a) => assert.equal(a, first));
  await withInput(8, async (a) => assert.equal(a.length, 8));
});

test('an input goes back to the pool when its use throws', async () => {
  let used: Float32Array | undefined;
  await assert.rejects(withInput(4, async (a) => {
    used = a;
    throw new Error('inference failed');
  }));
  await withInput(4, async (a) => assert.equal(a, used));
});
