// The aggregate chain of the default topology on the embedded backbone, stopped mid-stream with windows open and
// started again as a new worker: the windows come back from the changelog, and the events equal those of a run
// that never stopped. And the checkpoint order: an offset is committed only after the changelog has acknowledged
// the changes its wave caused.
import '../helpers/operators.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createEmbeddedBackbone } from '../../pipelines/backbone/embedded/index.js';
import type { Backbone, ProducedRecord } from '../../pipelines/backbone/contract.js';
import { validateTopologyFile } from '../../pipelines/topology/validate.js';
import { buildPlan } from '../../pipelines/plan/build.js';
import { OPERATORS } from '../../operators/index.js';
import { lookupOperator } from '../../pipelines/runtime/run.js';
import { avroRecordCodec } from '../../pipelines/runtime/codec.js';
import { plannedTopicSpecs } from '../../pipelines/runtime/provision.js';
import { Worker } from '../../pipelines/runtime/worker.js';
import { eventId, type MatchesRecord, type SightingEvent } from '../../operators/streams/records.js';
import { expectedEvents } from '../faults/events.js';
import { repoRoot } from '../helpers/paths.js';
import type { Plan } from '../../pipelines/plan/types.js';
import { MATCHES } from '../../operators/streams/index.js';

function aggregatePlan(): Plan {
  const { plan } = buildPlan(validateTopologyFile(join(repoRoot, 'topology.yaml'), OPERATORS).topology, OPERATORS, 'topology.yaml');
  // Only the aggregate chain, without the console printer; windows close by capture time alone.
  plan.chains = plan.chains.filter((c) => c.id === 'aggregate').map((c) => ({ ...c, operators: ['aggregate', 'results'] }));
  plan.configs['aggregate'] = { ...plan.configs['aggregate'], minFrames: 1, sizeMs: 1000, idleMs: 600_000 };
  return plan;
}

const match = (camera: string, seq: number, identity: string): MatchesRecord => ({
  camera, epoch: 'e1', seq, captureTs: 1_000_000 + seq * 100, faces: [{ index: 0, box: [0, 0, 10, 10], score: 0.9, identity, distance: 0.3, clusterId: null, track: 0, carried: false }],
});
const stream = (n: number) => ['cam-1', 'cam-2', 'cam-3'].flatMap((cam) => Array.from({ length: n }, (_, seq) => match(cam, seq, seq % 7 < 4 ? 'ada' : 'bob')));

async function send(backbone: Backbone, plan: Plan, records: MatchesRecord[]): Promise<void> {
  const p = await backbone.producer();
  const codec = avroRecordCodec();
  const topic = plan.chains[0]!.inputTopic!;
  for (const r of records) await p.send({ topic, ...codec.encode(MATCHES, r) });
}

function worker(plan: Plan, backbone: Backbone, events: SightingEvent[]): Worker {
  return new Worker({ plan, nodes: ['cloud-1'], backbone, codec: avroRecordCodec(), operators: lookupOperator, dataDir: tmpdir(), log: () => {}, onSinkRecords: (_op, rs) => events.push(...(rs as SightingEvent[])) });
}

test('a worker stopped with windows open hands them to the next one through the changelog', { timeout: 60_000 }, async () => {
  const plan = aggregatePlan();
  const backbone = createEmbeddedBackbone();
  await backbone.provision(plannedTopicSpecs(plan));
  const all = stream(40);
  const events: SightingEvent[] = [];
  const first = worker(plan, backbone, events);
  await first.start();
  await send(backbone, plan, all.filter((r) => r.seq < 25));
  await first.drain();
  await first.stop(); // no final flush: the windows of seq 20..24 are still open
  const before = events.length;
  const second = worker(plan, backbone, events);
  await second.start();
  await send(backbone, plan, all.filter((r) => r.seq >= 25));
  await second.drain();
  await second.flushAll(true);
  await second.stop();
  const want = [...expectedEvents(all, { kind: 'tumbling', sizeMs: 1000, slideMs: 1000, minFrames: 1, includeUnknown: false }).values()];
  const got = new Map(events.map((e) => [eventId(e), e]));
  assert.ok(before > 0 && events.length > before, 'both workers emitted events');
  assert.equal(events.length, got.size, 'no event twice');
  assert.deepEqual([...got.keys()].sort(), want.map(eventId).sort(), 'the same windows as one uninterrupted run');
  for (const e of want) assert.equal(got.get(eventId(e))!.frames, e.frames, `${eventId(e)} counted every frame, across the restart too`);
  await backbone.close();
});

test('an offset is committed only after the changelog acknowledged the wave\'s state changes', { timeout: 60_000 }, async () => {
  const plan = aggregatePlan();
  const inner = createEmbeddedBackbone();
  const log: string[] = [];
  const changelog = plan.topics.find((t) => t.kind === 'changelog' && t.producer === 'aggregate')!.name;
  // The changelog acknowledges slowly; every ack and every commit is logged in the order it happens.
  const backbone: Backbone = {
    ...inner,
    kind: inner.kind,
    provision: (t) => inner.provision(t),
    readPartition: (t, p) => inner.readPartition(t, p),
    close: () => inner.close(),
    producer: async () => {
      const p = await inner.producer();
      const send = async (r: ProducedRecord) => {
        if (r.topic === changelog) await new Promise((res) => setTimeout(res, 30));
        await p.send(r);
        if (r.topic === changelog) log.push('changelog');
      };
      return { ...p, send, sendAll: async (rs: ProducedRecord[]) => void (await Promise.all(rs.map(send))) };
    },
    consumer: async (o) => {
      const c = await inner.consumer(o);
      return { ...c, run: c.run.bind(c), lag: c.lag.bind(c), close: c.close.bind(c), pause: c.pause.bind(c), resume: c.resume.bind(c), commit: async (rs) => {
        log.push('commit');
        await c.commit(rs);
      } };
    },
  };
  await backbone.provision(plannedTopicSpecs(plan));
  const w = worker(plan, backbone, []);
  await w.start();
  await send(backbone, plan, stream(5));
  await w.drain();
  await w.stop();
  assert.ok(log.includes('commit') && log.includes('changelog'), log.join(','));
  // Every wave changes state here, so every commit has at least one acknowledged changelog write before it.
  let acked = 0;
  for (const entry of log) {
    if (entry === 'changelog') acked++;
    else {
      assert.ok(acked > 0, `a commit before its changes were acknowledged: ${log.join(',')}`);
      acked = 0;
    }
  }
});

test('a worker connects its producer for every topic it writes before it takes work: its changelogs and outputs', { timeout: 60_000 }, async () => {
  const plan = aggregatePlan();
  const backbone = createEmbeddedBackbone();
  await backbone.provision(plannedTopicSpecs(plan));
  const prepared: string[][] = [];
  const producer = backbone.producer.bind(backbone);
  backbone.producer = async () => ({ ...(await producer()), prepare: async (topics: string[]) => void prepared.push(topics) });
  const w = worker(plan, backbone, []);
  await w.prepare({ warm: true });
  const chain = plan.chains[0]!;
  const changelog = plan.topics.find((t) => t.kind === 'changelog' && t.producer === 'aggregate')!.name;
  assert.equal(prepared.length, 1, 'asked once, before the standby says it is warm');
  assert.ok(prepared[0]!.includes(changelog), `the changelog is among ${prepared[0]!.join(', ')}`);
  assert.deepEqual([...prepared[0]!].sort(), [...chain.outputs.map((o) => o.topic), ...(chain.changelogTopics ?? [])].sort());
  await w.stop();
  await backbone.close();
});
