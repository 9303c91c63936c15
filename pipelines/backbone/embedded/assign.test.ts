import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rangeAssign } from './assign.js';

const parts = (a: Array<{ topic: string; partition: number }> | undefined) => (a ?? []).map((p) => `${p.topic}:${p.partition}`);

test('range assignor: contiguous ranges, extras to the first members, every partition exactly once', () => {
  const a = rangeAssign(
    [{ id: 'm2', topics: ['t'] }, { id: 'm1', topics: ['t'] }, { id: 'm3', topics: ['t'] }],
    new Map([['t', 7]]),
  );
  assert.deepEqual(parts(a.get('m1')), ['t:0', 't:1', 't:2']);
  assert.deepEqual(parts(a.get('m2')), ['t:3', 't:4']);
  assert.deepEqual(parts(a.get('m3')), ['t:5', 't:6']);
});

test('range assignor: members only get topics they subscribe to; more members than partitions leaves some idle', () => {
  const a = rangeAssign([{ id: 'a', topics: ['x', 'y'] }, { id: 'b', topics: ['y'] }, { id: 'c', topics: ['y'] }], new Map([['x', 2], ['y', 2]]));
  assert.deepEqual(parts(a.get('a')), ['x:0', 'x:1', 'y:0']);
  assert.deepEqual(parts(a.get('b')), ['y:1']);
  assert.deepEqual(parts(a.get('c')), []);
});
