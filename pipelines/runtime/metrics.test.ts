import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerMetrics } from './metrics.js';

test('fps is the rate of records in, and for a source (nothing in) the rate of records out', () => {
  const m = new WorkerMetrics();
  const now = 1_000_000;
  m.emitted('decode', 30, now - 100);
  m.received('detect', 20, now - 100);
  m.emitted('detect', 5, now - 100);
  const byOp = Object.fromEntries(m.snapshot(now).map((s) => [s.operator, s]));
  assert.ok(byOp['decode']!.fps > 0, 'a source shows the frames it delivers');
  assert.equal(byOp['decode']!.fps * 2, byOp['detect']!.fps * 3);
  assert.equal(byOp['detect']!.recordsOut, 5);
});
