import { test } from 'node:test';
import assert from 'node:assert/strict';
import { murmur2, partitionForKey } from './partitioner.js';

// Vectors from Kafka's own UtilsTest.testMurmur2.
test('murmur2 matches the Java client', () => {
  const cases: Array<[string | number[], number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    [[0x61, 0x62, 0x63], 479470107],
  ];
  for (const [input, expected] of cases) {
    const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : new Uint8Array(input);
    assert.equal(murmur2(bytes), expected, String(input));
  }
});

test('partitionForKey is stable and within range', () => {
  for (const key of ['cam-1', 'cam-2', 'door', '']) {
    const p = partitionForKey(key, 6);
    assert.ok(p >= 0 && p < 6);
    assert.equal(partitionForKey(key, 6), p);
  }
  assert.equal(partitionForKey('foobar', 8), (-790332482 & 0x7fffffff) % 8);
});
