import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingNodeFlags, workerEnv } from './process-tuning.js';

void test('worker processes get two malloc arenas unless the environment already says otherwise', () => {
  assert.equal(workerEnv({ PATH: '/bin' }).MALLOC_ARENA_MAX, '2');
  assert.equal(workerEnv({ PATH: '/bin' }).PATH, '/bin');
  assert.equal(workerEnv({ MALLOC_ARENA_MAX: '4' }).MALLOC_ARENA_MAX, '4');
});

void test("worker processes get a thread pool larger than libuv's 4, which the chains' Kafka consumers would hold", () => {
  assert.equal(workerEnv({}).UV_THREADPOOL_SIZE, '16');
  assert.equal(workerEnv({ UV_THREADPOOL_SIZE: '8' }).UV_THREADPOOL_SIZE, '8');
});

void test('the nursery flag is added only when neither the arguments nor NODE_OPTIONS set it', () => {
  assert.deepEqual(missingNodeFlags(['/x/main.js'], {}), ['--max-semi-space-size=1']);
  assert.deepEqual(missingNodeFlags(['--max-semi-space-size=8', '/x/main.js'], {}), []);
  assert.deepEqual(missingNodeFlags(['/x/main.js'], { NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=4' }), []);
});
