import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { TopologySpec, type Topology } from '../topology/schema.js';
import { OPERATORS } from '../../operators/index.js';
import { frameBytes } from '../../operators/decode/frame-bytes.js';
import { placeOperators } from './place.js';
import { PlanInfeasibleError } from './infeasible.js';
import { buildPlan } from './build.js';
import { KAFKA_BYTES_PER_RECORD } from './record-bytes.js';

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
  // match keeps state per partition: its input topic has room to scale out without repartitioning.
  assert.equal(embeddings?.partitions, 4);
  assert.equal(split.chains.find((c) => c.operators[0] === 'match')?.consumerGroup, 'tierflow.t.match');
});

test('topics are derived: only across nodes or parallelism changes, plus the results topic', () => {
  const { plan } = buildPlan(topology(), OPERATORS, 't.yaml');
  assert.deepEqual(
    plan.topics.filter((tp) => tp.kind !== 'changelog').map((tp) => [tp.name, tp.dataClass, tp.producer, tp.consumers, tp.fromTier, tp.toTier]),
    [
      ['tierflow.t.detect.faces', 'crop', 'detect', ['embed'], 'device', 'edge'],
      ['tierflow.t.results', 'event', 'results', [], 'edge', 'edge'],
    ],
  );
  // Stateful operators reading a topic get a compacted changelog partitioned like that topic, named after them.
  assert.deepEqual(
    plan.topics.filter((tp) => tp.kind === 'changelog').map((tp) => [tp.name, tp.dataClass, tp.partitions, tp.producer, tp.consumers]),
    [
      ['tierflow.t.match.changelog', 'embedding', 4, 'match', ['match']],
      ['tierflow.t.aggregate.changelog', 'event', 4, 'aggregate', ['aggregate']],
    ],
  );
  assert.ok(plan.chains.every((c) => c.outputs.every((o) => !o.topic.endsWith('.changelog'))), 'a chain does not produce its changelog as an output');
  // detect's 12,000 B per frame, 5 frames a second, each carried with Kafka's framing.
  assert.deepEqual(plan.links, [{ from: 'dev', to: 'gw', bytesPerSecond: 5 * (12_000 + KAFKA_BYTES_PER_RECORD) }]);
  // All in the cloud, the camera's 5 frames a second would cross: decode's estimate at 640x360, quality 85, a medium scene.
  assert.equal(plan.allInCloud.bytesPerSecond, 5 * frameBytes('640x360', 85, 'medium'));
});

test("a source operator's records weigh what its sources' frames do: resolution, JPEG quality and scene", () => {
  const t = gateways([gw('gw')], {});
  const at = (resolution: string, config: Record<string, unknown>) => {
    const flows = t.flows.map((f) => (f.id === 'decode' ? { ...f, config } : f));
    const { plan } = buildPlan({ ...t, flows, sources: t.sources.map((s) => ({ ...s, resolution })) }, OPERATORS, 't.yaml');
    return plan.links.find((l) => l.from === 'dev' && l.to === 'gw')?.bytesPerSecond;
  };
  const fps = t.sources.reduce((n, s) => n + s.fps, 0);
  assert.equal(at('640x360', {}), Math.round(fps * (frameBytes('640x360', 85, 'medium') + KAFKA_BYTES_PER_RECORD)));
  assert.equal(at('1280x720', { scene: 'low', jpegQuality: 50 }), Math.round(fps * (frameBytes('1280x720', 50, 'low') + KAFKA_BYTES_PER_RECORD)));
  assert.ok(at('1920x1080', { scene: 'high' })! > 4 * at('640x360', {})!, 'a high-detail 1080p camera weighs more than four 360p ones');
});

test("aggregate's events are estimated one per camera and window, not one per match", () => {
  const sources = [
    { name: 'cam', url: 'demo:sample1.jpg', node: 'dev', fps: 5 },
    { name: 'cam-2', url: 'demo:sample2.jpg', node: 'dev', fps: 5 },
  ];
  const flows = (aggregate: object) =>
    faceFlows({ decode: { inputs: ['cam', 'cam-2'] }, aggregate: { placement: { node: 'gw' }, ...aggregate }, results: { placement: { tier: 'cloud' } } });
  const up = (aggregate: object) => buildPlan(topology({ sources, flows: flows(aggregate) }), OPERATORS, 't.yaml').plan.links.find((l) => l.from === 'gw')!;
  const perEvent = OPERATORS.find((o) => o.name === 'aggregate')!.bytesPerRecord + KAFKA_BYTES_PER_RECORD;
  assert.equal(up({ config: { sizeMs: 2000 } }).to, 'cloud-1');
  // Two cameras, a 2 s tumbling window: one event a second; a 500 ms slide: four.
  assert.equal(up({ config: { sizeMs: 2000 } }).bytesPerSecond, Math.round(2 * 0.5 * perEvent));
  assert.equal(up({ config: { window: 'sliding', sizeMs: 2000, slideMs: 500 } }).bytesPerSecond, Math.round(2 * 2 * perEvent));
  // Never more events than matches: windows of 100 ms at 5 fps close with at most one frame each.
  assert.equal(up({ config: { sizeMs: 100 } }).bytesPerSecond, Math.round(10 * perEvent));
});

/** A camera node too small for detect, the given gateways and nodes, and decode -> detect (-> embed). */
function gateways(nodes: unknown[], detect: object, more: { embed?: object; policies?: unknown } = {}): Topology {
  return topology({
    nodes: [{ name: 'dev', tier: 'device', cpu: 1, memory: 1024 }, ...nodes],
    flows: faceFlows({ decode: { placement: { near: 'source' } }, detect, ...(more.embed ? { embed: more.embed } : {}) }).slice(0, more.embed ? 3 : 2),
    ...(more.policies ? { policies: more.policies } : {}),
  });
}
const gw = (name: string, cpu = 4) => ({ name, tier: 'edge', cpu, memory: 4096 });
const shares = (t: Topology, id: string) => placeOperators(t, OPERATORS).filter((p) => p.operator === id).map((p) => [p.node, p.replicas]);

test('replicas of an auto operator are spread over two equal gateways, one each', () => {
  const t = gateways([gw('gw-b'), gw('gw-a')], { replicas: 2 });
  assert.deepEqual(shares(t, 'detect'), [['gw-a', 1], ['gw-b', 1]]);
  const reasons = placeOperators(t, OPERATORS).filter((p) => p.operator === 'detect').map((p) => p.reason);
  assert.match(reasons[0] ?? '', /^replica 1 of 2 spread over gw-a, gw-b \(tier edge\)/);
  assert.match(reasons[1] ?? '', /^replica 2 of 2 spread over gw-a, gw-b/);
  // One chain per node, one consumer group, partitions for both replicas; embed with equal spread fuses in.
  const { plan } = buildPlan(gateways([gw('gw-b'), gw('gw-a')], { replicas: 2 }, { embed: { replicas: 2 } }), OPERATORS, 't.yaml');
  const withEmbed = plan.placements.filter((p) => p.operator === 'embed').map((p) => [p.node, p.replicas]);
  assert.deepEqual(withEmbed, [['gw-a', 1], ['gw-b', 1]]);
  const detectChains = plan.chains.filter((c) => c.operators[0] === 'detect');
  assert.deepEqual(detectChains.map((c) => [c.id, c.node, c.replicas, c.operators]), [
    ['detect.gw-a', 'gw-a', 1, ['detect', 'embed']],
    ['detect.gw-b', 'gw-b', 1, ['detect', 'embed']],
  ]);
  assert.deepEqual([...new Set(detectChains.map((c) => c.consumerGroup))], ['tierflow.t.detect']);
  assert.equal(plan.topics.find((tp) => tp.producer === 'decode')?.partitions, 2);
  const half = Math.round((5 * (frameBytes('640x360', 85, 'medium') + KAFKA_BYTES_PER_RECORD)) / 2);
  assert.deepEqual(plan.links, [{ from: 'dev', to: 'gw-a', bytesPerSecond: half }, { from: 'dev', to: 'gw-b', bytesPerSecond: half }]);
});

test('a gateway with room for one replica passes the others on', () => {
  // gw-a holds one detect (1 cpu); round-robin would have given it replicas 1 and 3.
  assert.deepEqual(shares(gateways([gw('gw-a', 1), gw('gw-b')], { replicas: 3 }), 'detect'), [['gw-a', 1], ['gw-b', 2]]);
});

test('a single feasible node takes every replica, as does a node pin', () => {
  const one = placeOperators(gateways([gw('gw-a')], { replicas: 2 }), OPERATORS).filter((p) => p.operator === 'detect');
  assert.deepEqual(one.map((p) => [p.node, p.replicas]), [['gw-a', 2]]);
  assert.match(one[0]?.reason ?? '', /^cheapest feasible node: /);
  assert.deepEqual(shares(gateways([gw('gw-a'), gw('gw-b')], { replicas: 2, placement: { node: 'gw-b' } }), 'detect'), [['gw-b', 2]]);
});

test('when no tier holds all replicas of a spread the operator moves outward, or is infeasible', () => {
  const fog = { name: 'fog-1', tier: 'fog', cpu: 4, memory: 4096 };
  assert.deepEqual(shares(gateways([gw('gw-a', 1), gw('gw-b', 1), fog], { replicas: 3 }, { policies: { frame: 'fog', crop: 'fog' } }), 'detect'), [['fog-1', 3]]);
  assert.throws(
    () => placeOperators(gateways([gw('gw-a', 1), gw('gw-b', 1)], { replicas: 3 }), OPERATORS),
    (e: unknown) => e instanceof PlanInfeasibleError && e.operator === 'detect' && /no tier holds all 3 replicas/.test(e.message),
  );
});

test('spreading is deterministic and independent of node declaration order', () => {
  const t = gateways([gw('gw-c'), gw('gw-a'), gw('gw-b')], { replicas: 5 });
  const reversed = { ...t, nodes: [...t.nodes].reverse() };
  assert.deepEqual(placeOperators(t, OPERATORS), placeOperators(t, OPERATORS));
  assert.deepEqual(placeOperators(reversed, OPERATORS), placeOperators(t, OPERATORS));
  assert.deepEqual(shares(t, 'detect'), [['gw-a', 2], ['gw-b', 2], ['gw-c', 1]]);
});

test('a replica added under load is a chain of its own on its node; the chain it joins keeps its id and its work', () => {
  const t = topology({ policies: { crop: 'fog', embedding: 'fog' } });
  const before = buildPlan(t, OPERATORS, 't.yaml').plan;
  const offload = { embed: ['fog-1'], match: ['fog-1'], aggregate: ['fog-1'], results: ['fog-1'] };
  const after = buildPlan(t, OPERATORS, 't.yaml', offload).plan;
  const on = (p: typeof before, node: string) => p.chains.filter((c) => c.node === node);
  // The edge node's worker runs what it ran: a migration replaces no worker there.
  assert.deepEqual(on(after, 'gw'), on(before, 'gw'));
  assert.deepEqual(on(after, 'fog-1').map((c) => [c.id, c.operators, c.consumerGroup]), [['embed.fog-1', ['embed', 'match', 'aggregate', 'results'], 'tierflow.t.embed']]);
  assert.ok(after.placements.filter((p) => p.node === 'fog-1').every((p) => p.offloaded === true));
  assert.ok(after.placements.filter((p) => p.node !== 'fog-1').every((p) => p.offloaded === undefined));
});
