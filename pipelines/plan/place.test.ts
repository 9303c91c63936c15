import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { TopologySpec, type Topology } from '../topology/schema.js';
import { OPERATORS } from '../../operators/index.js';
import { placeOperators } from './place.js';
import { PlanInfeasibleError } from './infeasible.js';
import { buildPlan } from './build.js';

/** A small topology through the schema, so defaults apply as in a real file. */
function topology(over: { nodes?: unknown[]; flows?: unknown[]; policies?: unknown; sources?: unknown[] } = {}): Topology {
  const doc = {
    name: 't',
    nodes: over.nodes ?? [
      { name: 'dev', tier: 'device', cpu: 2, memory: 1024 },
      { name: 'gw', tier: 'edge', cpu: 4, memory: 4096 },
      { name: 'fog-1', tier: 'fog', cpu: 4, memory: 4096 },
      { name: 'cloud-1', tier: 'cloud', cpu: 16, memory: 16384 },
    ],
    links: [
      { from: 'device', to: 'edge', latencyMs: 2, bandwidthMbps: 100 },
      { from: 'edge', to: 'fog', latencyMs: 10, bandwidthMbps: 100 },
      { from: 'fog', to: 'cloud', latencyMs: 30, bandwidthMbps: 20, costPerGB: 0.09 },
    ],
    sources: over.sources ?? [{ name: 'cam', url: 'demo:sample1.jpg', node: 'dev' }],
    flows: over.flows ?? faceFlows(),
    ...(over.policies ? { policies: over.policies } : {}),
  };
  const t = Value.Default(TopologySpec, structuredClone(doc));
  assert.ok(Value.Check(TopologySpec, t), [...Value.Errors(TopologySpec, t)].map((e) => `${e.path} ${e.message}`).join('; '));
  return t;
}

function faceFlows(extra: Record<string, object> = {}): unknown[] {
  const chain: Array<[string, string, string[]]> = [
    ['decode', 'decode@1', ['cam']],
    ['detect', 'detect@1', ['decode']],
    ['embed', 'embed@1', ['detect']],
    ['match', 'match@1', ['embed']],
    ['aggregate', 'aggregate@1', ['match']],
    ['results', 'results@1', ['aggregate']],
  ];
  return chain.map(([id, uses, inputs]) => ({ id, uses, inputs, ...(id === 'match' ? { config: { gallery: 'g.json' } } : {}), ...(extra[id] ?? {}) }));
}

const where = (t: Topology) => Object.fromEntries(placeOperators(t, OPERATORS).map((p) => [p.operator, p.node]));

test('auto keeps every operator beside its upstream data when capacity and policy allow', () => {
  assert.deepEqual(where(topology()), { decode: 'dev', detect: 'dev', embed: 'gw', match: 'gw', aggregate: 'gw', results: 'gw' });
});

test('a node pin is honoured even where auto would choose otherwise', () => {
  const t = topology({ flows: faceFlows({ match: { placement: { node: 'fog-1' } } }) });
  assert.equal(where(t)['match'], 'fog-1');
  // aggregate follows its data to the fog node rather than back to the edge.
  assert.equal(where(t)['aggregate'], 'fog-1');
});

test('near: source puts a source operator on each source node, with its sources', () => {
  const t = topology({
    nodes: [
      { name: 'cam-a', tier: 'device', cpu: 1, memory: 512 },
      { name: 'cam-b', tier: 'device', cpu: 1, memory: 512 },
      { name: 'gw', tier: 'edge', cpu: 8, memory: 8192 },
      { name: 'cloud-1', tier: 'cloud', cpu: 16, memory: 16384 },
    ],
    sources: [
      { name: 'c1', url: 'demo:a.jpg', node: 'cam-a' },
      { name: 'c2', url: 'demo:b.jpg', node: 'cam-b' },
      { name: 'c3', url: 'demo:c.jpg', node: 'cam-b' },
    ],
    flows: faceFlows({ decode: { inputs: ['c1', 'c2', 'c3'], placement: { near: 'source' } } }),
  });
  const decode = placeOperators(t, OPERATORS).filter((p) => p.operator === 'decode');
  assert.deepEqual(decode.map((p) => [p.node, p.sources]), [['cam-a', ['c1']], ['cam-b', ['c2', 'c3']]]);
});

test('capacity pushes an operator one tier outward', () => {
  const nodes = (gwCpu: number) => [
    { name: 'dev', tier: 'device', cpu: 1, memory: 1024 },
    { name: 'gw', tier: 'edge', cpu: gwCpu, memory: 4096 },
    { name: 'fog-1', tier: 'fog', cpu: 4, memory: 4096 },
    { name: 'cloud-1', tier: 'cloud', cpu: 16, memory: 16384 },
  ];
  const policies = { crop: 'fog' };
  assert.equal(where(topology({ nodes: nodes(4), policies }))['embed'], 'gw');
  // detect (1 cpu) takes the gateway's room; embed (1 cpu) no longer fits there and goes to fog.
  const squeezed = where(topology({ nodes: nodes(1.5), policies }));
  assert.equal(squeezed['detect'], 'gw');
  assert.equal(squeezed['embed'], 'fog-1');
});

test('a policy that leaves no feasible node is a clear PLAN_INFEASIBLE naming operator, data class and tier', () => {
  const t = topology({ policies: { crop: 'device' } });
  assert.throws(
    () => placeOperators(t, OPERATORS),
    (e: unknown) => {
      assert.ok(e instanceof PlanInfeasibleError);
      assert.equal(e.code, 'PLAN_INFEASIBLE');
      assert.equal(e.exitCode, 2);
      assert.equal(e.operator, 'embed');
      assert.match(e.message, /'embed'.*crop data may not go beyond tier device/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    },
  );
});

test('placement is deterministic and does not depend on the order nodes are declared in', () => {
  const t = topology();
  const reversed = { ...t, nodes: [...t.nodes].reverse() };
  assert.deepEqual(placeOperators(t, OPERATORS), placeOperators(t, OPERATORS));
  assert.deepEqual(placeOperators(reversed, OPERATORS), placeOperators(t, OPERATORS));
});

test('ties go to the innermost tier, then the node name', () => {
  const t = topology({
    nodes: [
      { name: 'dev', tier: 'device', cpu: 1, memory: 1024 },
      { name: 'gw-b', tier: 'edge', cpu: 4, memory: 4096 },
      { name: 'gw-a', tier: 'edge', cpu: 4, memory: 4096 },
    ],
    flows: faceFlows({ decode: { placement: { near: 'source' } }, detect: { placement: { tier: 'edge' } } }).slice(0, 2),
  });
  assert.equal(where(t)['detect'], 'gw-a');
});

test('co-located operators with equal replicas chain; a parallelism change gets a topic', () => {
  const fused = buildPlan(topology(), OPERATORS, 't.yaml').plan;
  assert.deepEqual(fused.chains.map((c) => c.operators), [['decode', 'detect'], ['embed', 'match', 'aggregate', 'results']]);
  const split = buildPlan(topology({ flows: faceFlows({ match: { replicas: 2 } }) }), OPERATORS, 't.yaml').plan;
  assert.deepEqual(split.chains.map((c) => c.operators), [['decode', 'detect'], ['embed'], ['match'], ['aggregate', 'results']]);
  const embeddings = split.topics.find((tp) => tp.producer === 'embed');
  assert.equal(embeddings?.name, 't.embed.embeddings'.replace(/^/, 'tierflow.'));
  assert.equal(embeddings?.partitions, 2);
  assert.equal(split.chains.find((c) => c.operators[0] === 'match')?.consumerGroup, 'tierflow.t.match');
});

test('topics are derived: only across nodes or parallelism changes, plus the results topic', () => {
  const { plan } = buildPlan(topology(), OPERATORS, 't.yaml');
  assert.deepEqual(
    plan.topics.map((tp) => [tp.name, tp.dataClass, tp.producer, tp.consumers, tp.fromTier, tp.toTier]),
    [
      ['tierflow.t.detect.faces', 'crop', 'detect', ['embed'], 'device', 'edge'],
      ['tierflow.t.results', 'event', 'results', [], 'edge', 'edge'],
    ],
  );
  assert.deepEqual(plan.links, [{ from: 'dev', to: 'gw', bytesPerSecond: 60_000 }]);
  assert.equal(plan.allInCloud.bytesPerSecond, 200_000);
});
