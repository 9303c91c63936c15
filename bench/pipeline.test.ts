import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partitionForKey } from '../pipelines/backbone/partitioner.js';

test("the pipeline benchmark's two cameras land on different partitions, so two replicas both get work", () => {
  assert.notEqual(partitionForKey('cam-1', 2), partitionForKey('cam-4', 2));
});
