import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Chain } from '../plan/types.js';
import { chainOrder } from './order.js';

const chain = (id: string, inputTopic: string | null, outputs: string[]): Chain => ({
  id,
  node: 'n',
  tier: 'edge',
  operators: [id],
  replicas: 1,
  inputTopic,
  consumerGroup: inputTopic ? `g.${id}` : null,
  sources: inputTopic ? [] : ['cam'],
  outputs: outputs.map((topic) => ({ operator: id, topic })),
  priority: 'normal',
});

test('chains come after the chains that produce their input', () => {
  const chains = [chain('agg', 't2', ['t3']), chain('sink', 't3', []), chain('decode', null, ['t1']), chain('detect', 't1', ['t2'])];
  assert.deepEqual(chainOrder({ chains }).map((c) => c.id), ['decode', 'detect', 'agg', 'sink']);
});
