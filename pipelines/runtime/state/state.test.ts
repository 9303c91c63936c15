import '../../../test/helpers/operators.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionedState } from './store.js';
import { Changelog, StateCodec } from './changelog.js';
import { ChainState } from './chain-state.js';
import { Checkpoints } from '../waves.js';
import type { Consumer } from '../../backbone/contract.js';
import { createEmbeddedBackbone } from '../../backbone/embedded/index.js';
import { HEADER_SCHEMA } from '../../backbone/contract.js';
import { TierflowError } from '../../errors.js';
import { buildPlan } from '../../plan/build.js';
import { validateTopologyFile } from '../../topology/validate.js';
import { OPERATORS } from '../../../operators/index.js';
import { lookupOperator } from '../run.js';
import { repoRoot } from '../../../test/helpers/paths.js';
import { join } from 'node:path';

test('a store per partition: changes are taken once with their value then, and a value changed in place throws', () => {
  const s = new PartitionedState<{ n: number; xs: number[] }>('op');
  s.load(0, []);
  s.load(3, [['a', { n: 1, xs: [] }]]);
  s.enter(3);
  assert.equal(s.store.scope, 'p3');
  s.store.set('a', { n: 2, xs: [1] });
  s.store.set('b', { n: 5, xs: [] });
  s.store.delete('b');
  assert.throws(() => (s.store.get('a')!.xs as number[]).push(2), TypeError);
  assert.deepEqual(s.takeChanges(), [{ partition: 3, key: 'a', value: { n: 2, xs: [1] } }, { partition: 3, key: 'b', value: null }]);
  assert.deepEqual(s.takeChanges(), []);
  s.leave();
  assert.throws(() => s.store.get('a'), /outside process or flush/);
  s.drop(3);
  assert.deepEqual(s.partitions(), [0]);
});

/** The repository topology's plan, its aggregate chain and that operator's changelog topic. */
function aggregateChain() {
  const plan = buildPlan(validateTopologyFile(join(repoRoot, 'topology.yaml'), OPERATORS).topology, OPERATORS, 'topology.yaml').plan;
  const chain = plan.chains.find((c) => c.operators.includes('aggregate'))!;
  const topic = plan.topics.find((t) => t.kind === 'changelog' && t.producer === 'aggregate')!;
  return { plan, chain, topic };
}

test('a changelog record the state schema cannot read stops the restore with one line naming the topic', async () => {
  const { plan, chain, topic } = aggregateChain();
  const b = createEmbeddedBackbone();
  await b.provision([{ name: topic.name, partitions: topic.partitions, compacted: true }]);
  const p = await b.producer();
  const codec = new StateCodec('aggregate', lookupOperator('aggregate@1').state!);
  await new Changelog(topic.name, codec, b, p).write([{ partition: 1, key: 'c\u0000cam', value: { window: null, clock: { camera: 'cam', watermark: 5, closedUntil: null } } }]);
  await p.send({ topic: topic.name, partition: 1, key: 'bad', value: Buffer.from([0xff, 0xff, 0xff]), headers: { [HEADER_SCHEMA]: codec.header } });
  const errors: unknown[] = [];
  const state = new ChainState({ plan, chain, replica: 0, operators: lookupOperator, backbone: b, producer: p, onError: (e) => errors.push(e), log: () => {} });
  state.assign([0, 1]);
  await state.ready(0);
  await assert.rejects(state.ready(1), (e) => e instanceof TierflowError && e.code === 'STATE_UNREADABLE' && e.message.includes(`changelog topic ${topic.name}`) && !e.message.includes('\n'));
  assert.equal(errors.length, 1, 'the chain is failed');
  assert.deepEqual(state.partitions(), [0], 'partition 1 holds no half-restored state');
  await b.close();
});

test('a wave whose outputs went out before its partition was revoked still writes its state, so the next restore has it', async () => {
  const { plan, chain, topic } = aggregateChain();
  const b = createEmbeddedBackbone();
  await b.provision([{ name: topic.name, partitions: topic.partitions, compacted: true }]);
  const state = new ChainState({ plan, chain, replica: 0, operators: lookupOperator, backbone: b, producer: await b.producer(), onError: (e) => assert.fail(String(e)), log: () => {} });
  const commits: number[] = [];
  const consumer = { commit: async (rs: Array<{ offset: number }>) => void commits.push(...rs.map((r) => r.offset)) } as unknown as Consumer;
  const checkpoints = new Checkpoints({ state, consumer: () => consumer, failed: () => false, fail: (e) => assert.fail(String(e)), log: () => {} }, 10);
  state.assign([2]);
  await state.ready(2);
  // A window closed by the clock: its event is on its way out when the rebalance takes the partition.
  state.enter('aggregate', 2);
  state.storeFor('aggregate')!.set('c\u0000cam', { window: null, clock: { camera: 'cam', watermark: 900, closedUntil: 1000 } });
  state.leave('aggregate');
  let acknowledged!: () => void;
  const outputs = new Promise<void>((r) => (acknowledged = r));
  const wave = { entry: [], outputs: new Map(), flush: null, partition: 2, generation: state.generation(2), changes: state.take('aggregate') };
  checkpoints.add(wave, [{ topic: 'in', partition: 2, offset: 41, key: '', value: new Uint8Array(), headers: {}, timestamp: 0 }], outputs);
  const revoked = state.revoke([2], () => checkpoints.all());
  setTimeout(acknowledged, 50);
  await revoked;
  assert.deepEqual(state.partitions(), [], 'dropped once drained');
  assert.deepEqual(commits, [41], 'its offsets handed to the consumer, which commits them if it still holds the partition');
  state.assign([2]);
  await state.ready(2);
  state.enter('aggregate', 2);
  assert.deepEqual((state.storeFor('aggregate')!.get('c\u0000cam') as { clock: { closedUntil: number } } | undefined)?.clock.closedUntil, 1000, 'the restore has what the emitted output came from');
  state.leave('aggregate');
  await b.close();
});
