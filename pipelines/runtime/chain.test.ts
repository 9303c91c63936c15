import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Plan } from '../plan/types.js';
import type { Consumer } from '../backbone/contract.js';
import { ChainRunner } from './chain.js';
import { WorkerMetrics } from './metrics.js';
import { avroRecordCodec } from './codec.js';
import { lookupOperator } from './run.js';

const plan: Plan = {
  version: 1,
  topology: 't',
  file: '/tmp/t.yaml',
  tiers: ['edge'],
  backbone: { type: 'embedded' },
  sources: [],
  placements: [{ operator: 'agg', uses: 'aggregate@1', node: 'n', tier: 'edge', replicas: 1, reason: '' }],
  chains: [
    { id: 'agg', node: 'n', tier: 'edge', operators: ['agg'], replicas: 1, inputTopic: 'matches', consumerGroup: 'g', sources: [], outputs: [], priority: 'normal' },
  ],
  topics: [],
  links: [],
  allInCloud: { links: [], bytesPerSecond: 0 },
  configs: { agg: { window: 'tumbling', sizeMs: 1000, slideMs: 1000, minFrames: 1, includeUnknown: false } },
};

test('a consumer that dies under a running chain fails the chain, so its worker is restarted', async () => {
  const dying: Consumer = {
    run: async () => {
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('Local: Broker transport failure');
    },
    commit: async () => {},
    pause: () => {},
    resume: () => {},
    lag: async () => [],
    close: async () => {},
  };
  const runner = new ChainRunner({
    plan,
    chain: plan.chains[0]!,
    replica: 0,
    operators: lookupOperator,
    producer: { send: async () => {}, flush: async () => {}, close: async () => {} },
    openConsumer: async () => dying,
    codec: avroRecordCodec(),
    metrics: new WorkerMetrics(),
    dataDir: '/tmp',
    log: () => {},
  });
  await runner.start();
  await runner.finished;
  assert.match(String(runner.error()), /Broker transport failure/);
  await runner.stop();
});
