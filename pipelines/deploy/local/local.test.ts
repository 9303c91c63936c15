import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crashStreak, restartDelayMs } from './backoff.js';
import { parseScale, restartAfterRepartition, workerProcesses } from './processes.js';
import { chainLag, lagByChain } from './status.js';
import { summarise, tailLine, tailTopics } from './tail.js';
import { codecFor } from '../../streams/avro.js';
import { streamsOf } from '../../streams/registry.js';
import { OPERATORS } from '../../../operators/index.js';
import { FRAMES } from '../../../operators/streams/index.js';
import type { Plan } from '../../plan/types.js';

const chain = (id: string, node: string, extra: Partial<Plan['chains'][number]> = {}) => ({
  id, node, tier: 'edge', operators: [id], replicas: 1, inputTopic: `t.${id}`, consumerGroup: `g.${id}`, sources: [], outputs: [], priority: 'normal' as const, ...extra,
});
const plan = {
  topology: 'p',
  chains: [
    chain('decode', 'cam', { inputTopic: null, consumerGroup: null, sources: ['cam-1'], outputs: [{ operator: 'decode', topic: 't.detect' }] }),
    chain('detect', 'gw', { operators: ['detect', 'embed'], outputs: [{ operator: 'embed', topic: 't.match' }] }),
    chain('match', 'cam'),
  ],
  topics: [
    { name: 't.detect', kind: 'stream', partitions: 1, stream: 'frames', dataClass: 'frame', producer: 'decode', consumers: ['detect'], fromTier: 'device', toTier: 'edge', compression: 'none' },
    { name: 'tierflow.p.results', kind: 'results', partitions: 1, stream: 'events', dataClass: 'event', producer: 'results', consumers: [], fromTier: 'cloud', toTier: 'cloud', compression: 'lz4' },
  ],
} as unknown as Plan;

test('backoff doubles from 1 s to at most 30 s and starts over after a minute up', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(restartDelayMs), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  assert.equal(crashStreak(5, 1000), 6);
  assert.equal(crashStreak(5, 60_000), 1);
});

test('one process per node, one more per replica scaled beyond the plan', () => {
  assert.deepEqual(workerProcesses(plan, {}).map((p) => p.id), ['cam', 'gw']);
  assert.deepEqual(workerProcesses(plan, { detect: 3 }), [
    { id: 'cam', node: 'cam' },
    { id: 'gw', node: 'gw' },
    { id: 'detect#2', node: 'gw', chain: 'detect' },
    { id: 'detect#3', node: 'gw', chain: 'detect' },
  ]);
});

test('scale finds the chain by any operator in it and refuses sources, unknown operators and bad counts', () => {
  assert.equal(parseScale(plan, 'embed=2').chain.id, 'detect');
  assert.throws(() => parseScale(plan, 'decode=2'), /reads cameras/);
  assert.throws(() => parseScale(plan, 'nope=2'), /no operator 'nope'/);
  assert.throws(() => parseScale(plan, 'detect=0'), /1\.\.64/);
  assert.throws(() => parseScale(plan, 'detect'), /expected <operator>=<replicas>/);
});

test('after repartitioning, producers and the consuming node restart', () => {
  assert.deepEqual(restartAfterRepartition(plan, 't.detect', { detect: 2 }).sort(), ['cam', 'detect#2', 'gw']);
});

test('lag: each partition counted once across the group members reporting it', () => {
  const page = 'tierflow_consumer_lag{chain="detect",topic="t",partition="0",node="gw"} 5\ntierflow_consumer_lag{chain="detect",topic="t",partition="1",node="gw"} 2\n';
  const lag = lagByChain(page);
  assert.deepEqual(lag, { detect: { 't/0': 5, 't/1': 2 } });
  assert.equal(chainLag([{ lag }, { lag }], 'detect'), 7);
});

test('tail resolves topics, stream names, results and producers; unknown names list the choices', () => {
  assert.deepEqual(tailTopics(plan, 'frames'), [{ topic: 't.detect', stream: 'frames' }]);
  assert.deepEqual(tailTopics(plan, 'decode'), [{ topic: 't.detect', stream: 'frames' }]);
  assert.deepEqual(tailTopics(plan, 'results'), [{ topic: 'tierflow.p.results', stream: 'events' }]);
  assert.deepEqual(tailTopics(null, 'some.topic'), [{ topic: 'some.topic' }]);
  assert.throws(() => tailTopics(plan, 'faces'), /no stream 'faces'.*frames/);
});

test('tail summarises image bytes and long vectors, and shows undecodable records as such', () => {
  assert.deepEqual(summarise({ data: new Uint8Array([0xff, 0xd8, 1]), v: Array.from({ length: 128 }, () => 0.5), box: [1, 2] }), { data: '<jpeg 3 bytes>', v: '<128 numbers>', box: [1, 2] });
  const frame = codecFor(FRAMES).encode({ camera: 'c', epoch: 'e0', seq: 1, captureTs: 2, width: 2, height: 2, format: 'jpeg', data: new Uint8Array([0xff, 0xd8, 0, 0]) });
  const rec = { topic: 't', partition: 0, offset: 3, key: 'c', timestamp: 0 };
  assert.match(tailLine({ ...rec, ...frame }, undefined, streamsOf(OPERATORS)), /"data":"<jpeg 4 bytes>"/);
  assert.match(tailLine({ ...rec, value: new Uint8Array([1, 2, 3]), headers: frame.headers }, 'frames', streamsOf(OPERATORS)), /"undecodable":"not a frames\/v2 record/);
});
