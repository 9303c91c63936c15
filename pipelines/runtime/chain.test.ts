import '../../test/helpers/operators.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Plan } from '../plan/types.js';
import type { Consumer } from '../backbone/contract.js';
import { ChainRunner } from './chain.js';
import { WorkerMetrics } from './metrics.js';
import { avroRecordCodec } from './codec.js';
import { lookupOperator } from './run.js';
import { MATCHES } from '../../operators/streams/index.js';

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
    producer: { send: async () => {}, sendAll: async () => {}, prepare: async () => {}, flush: async () => {}, close: async () => {} },
    openConsumer: async () => dying,
    backbone: { readPartition: async () => [] },
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

const codec = avroRecordCodec();
const match = (seq: number) => ({ camera: 'c', epoch: 'e0', seq, captureTs: seq * 400, faces: [{ index: 0, box: [1, 2, 3, 4] as [number, number, number, number], score: 0.9, identity: 'ada', distance: 0.3, clusterId: null }] });
const consumed = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ topic: 'matches', partition: 0, offset: from + i, timestamp: 0, ...codec.encode(MATCHES, match(from + i)) }));

/** The aggregate chain on a given consumer (partition 0 assigned at open), its outputs acknowledged after `sendMs`. */
function aggregateRunner(consumer: Consumer, sendMs: number, onHooks: (hooks: ConsumerHooks) => void = () => {}): ChainRunner {
  const chain = { ...plan.chains[0]!, outputs: [{ operator: 'agg', topic: 'events' }] };
  return new ChainRunner({
    plan: { ...plan, chains: [chain] },
    chain,
    replica: 0,
    operators: lookupOperator,
    producer: { send: () => new Promise((r) => setTimeout(r, sendMs)), sendAll: () => new Promise((r) => setTimeout(r, sendMs)), prepare: async () => {}, flush: async () => {}, close: async () => {} },
    openConsumer: async (_group, topic, hooks) => {
      onHooks(hooks);
      hooks?.onAssign?.([{ topic, partition: 0 }]);
      return consumer;
    },
    backbone: { readPartition: async () => [] },
    codec,
    metrics: new WorkerMetrics(),
    dataDir: '/tmp',
    log: () => {},
  });
}

type ConsumerHooks = Parameters<ConstructorParameters<typeof ChainRunner>[0]['openConsumer']>[2];

test('a graceful stop finishes what the consumer handed over and commits it before leaving the group', async () => {
  const steps: string[] = [];
  let delivered!: () => void;
  const handedOver = new Promise<void>((r) => (delivered = r));
  const records = consumed(0, 6);
  let closed = false;
  const consumer: Consumer = {
    run: async (onBatch) => {
      await onBatch(records);
      delivered();
      while (!closed) await new Promise((r) => setTimeout(r, 5));
    },
    commit: async (rs) => void steps.push(`commit ${rs.at(-1)!.offset}`),
    pause: () => void steps.push('pause'),
    resume: () => {},
    lag: async () => [],
    close: async () => {
      steps.push('close');
      closed = true;
    },
  };
  // Outputs are acknowledged slowly: the stop must wait for them, not leave them behind.
  const runner = aggregateRunner(consumer, 100);
  await runner.start();
  await handedOver;
  await runner.stop();
  assert.deepEqual(steps, ['pause', 'commit 5', 'close'], 'paused, the wave through and committed, then the group left');
});

test('a revocation while a batch waits for its partition does not hang the chain', async () => {
  const commits: number[] = [];
  let hooks: ConsumerHooks;
  let closed = false;
  const consumer: Consumer = {
    run: async (onBatch) => {
      await onBatch(consumed(0, 3));
      // A rebalance hands the partition back while the next batch is on its way in: that batch waits for the restore,
      // which waits for the revocation's drain.
      void hooks?.onRevoke?.([{ topic: 'matches', partition: 0 }]);
      hooks?.onAssign?.([{ topic: 'matches', partition: 0 }]);
      await onBatch(consumed(3, 3));
      while (!closed) await new Promise((r) => setTimeout(r, 5));
    },
    commit: async (rs) => void commits.push(rs.at(-1)!.offset),
    pause: () => {},
    resume: () => {},
    lag: async () => [],
    close: async () => void (closed = true),
  };
  const runner = aggregateRunner(consumer, 50, (h) => (hooks = h));
  await runner.start();
  const through = new Promise<boolean>((resolve) => {
    const t = setInterval(() => commits.includes(5) && (clearInterval(t), resolve(true)), 10);
    setTimeout(() => (clearInterval(t), resolve(false)), 5_000);
  });
  assert.equal(await through, true, 'the batch after the rebalance was processed and committed');
  await runner.stop();
});
