// Sites: the plan routes each site's workers to its own cluster and derives the topics MirrorMaker 2 carries;
// validate and plan refuse sites that cannot work (no cluster of their own, shared names or brokers, a class that
// may not leave its site, a loop).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTopology } from '../topology/parse.js';
import { validateTopology } from '../topology/validate.js';
import { buildPlan } from './build.js';
import { MIRROR_BYTES_PER_SECOND, planSites } from './sites.js';
import { OPERATORS } from '../../operators/index.js';
import { mirrorProcesses } from '../deploy/mirror.js';
import type { Topology } from '../topology/schema.js';
import type { Placement, PlannedTopic } from './types.js';

const yaml = (sites: string, extra = '') => `name: t
nodes:
  - { name: cam, tier: device, cpu: 1, memory: 1024 }
  - { name: gw, tier: edge, cpu: 4, memory: 4096 }
  - { name: cloud-1, tier: cloud, cpu: 8, memory: 16384 }${extra}
links:
  - { from: device, to: edge, latencyMs: 2, bandwidthMbps: 100 }
  - { from: edge, to: cloud, latencyMs: 40, bandwidthMbps: 20 }
sources:
  - { name: cam-1, url: "demo:sample1.jpg", node: cam }
flows:
  - { id: decode, uses: decode@1, inputs: [cam-1], placement: { near: source } }
  - { id: detect, uses: detect@1, inputs: [decode], placement: { tier: edge } }
  - { id: embed, uses: embed@1, inputs: [detect] }
  - { id: match, uses: match@1, inputs: [embed], placement: { node: gw }, config: { gallery: gallery.json } }
  - { id: aggregate, uses: aggregate@1, inputs: [match], placement: { tier: cloud } }
  - { id: results, uses: results@1, inputs: [aggregate] }
backbone: { type: kafka, brokers: ["cloud-kafka:9092"] }
sites:
${sites}
`;
const SHOP = '  - { name: shop, nodes: [cam, gw], brokers: ["shop-kafka:9092"], wanBrokers: ["wan-proxy:9096"] }';

const planOf = (source: string) => buildPlan(validateTopology(parseTopology(source, 't.yaml'), OPERATORS).topology, OPERATORS, 't.yaml').plan;
const refusal = (source: string) => {
  try {
    planOf(source);
  } catch (e) {
    return (e as Error).message;
  }
  return 'accepted';
};

test("a site's workers use its own cluster, and only the events its match sends the cloud cross", () => {
  const plan = planOf(yaml(SHOP));
  assert.deepEqual(
    plan.sites!.map((s) => [s.name, s.nodes, s.brokers]),
    [
      ['central', ['cloud-1'], ['cloud-kafka:9092']],
      ['shop', ['cam', 'gw'], ['shop-kafka:9092']],
    ],
  );
  assert.deepEqual(plan.nodeBrokers, { cam: ['shop-kafka:9092'], gw: ['shop-kafka:9092'] });
  const matchOut = plan.topics.find((t) => t.producer === 'match')!;
  assert.equal(matchOut.dataClass, 'event');
  assert.deepEqual(plan.mirrors!.map(({ from, to, topics }) => ({ from, to, topics })), [{ from: 'shop', to: 'central', topics: [matchOut.name] }]);
  // The matches cross once, whatever reads them in the cloud, with MirrorMaker's own traffic beside them.
  const link = plan.links.find((l) => l.from === 'gw' && l.to === 'cloud-1')!;
  assert.equal(plan.mirrors![0]!.bytesPerSecond, link.bytesPerSecond + MIRROR_BYTES_PER_SECOND);
});

test('MirrorMaker 2 runs beside the cloud, consumes the shop across its WAN and carries exactly the planned topics', () => {
  const plan = planOf(yaml(SHOP));
  const [mm, ...more] = mirrorProcesses(plan);
  assert.equal(more.length, 0);
  assert.equal(mm!.site, 'central');
  assert.deepEqual(mm!.remote, ['wan-proxy:9096']);
  const props = Object.fromEntries(mm!.properties.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' = ') as [string, string]));
  assert.equal(props['clusters'], 'central, shop');
  assert.equal(props['shop.bootstrap.servers'], 'wan-proxy:9096');
  assert.equal(props['central.bootstrap.servers'], 'cloud-kafka:9092');
  assert.equal(props['central.exactly.once.source.support'], 'enabled');
  assert.equal(props['shop->central.enabled'], 'true');
  assert.equal(props['central->shop.enabled'], undefined);
  assert.equal(props['replication.policy.class'], 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy');
  // A Java regex inside a .properties value: t\\.match\\.out reads as t\.match\.out, which matches only the topic.
  const topic = plan.mirrors![0]!.topics[0]!;
  const regex = new RegExp(`^${props['shop->central.topics']!.replace(/\\\\/g, '\\')}$`);
  assert.ok(regex.test(topic));
  assert.ok(!regex.test(topic.replace('.', 'x')));
});

test('without sites the plan has no sites, mirrors or node brokers', () => {
  const plan = planOf(yaml('').replace(/\nsites:\n/, '\n'));
  assert.equal('sites' in plan, false);
  assert.equal('mirrors' in plan, false);
  assert.equal('nodeBrokers' in plan, false);
});

test('validate refuses sites that cannot be clusters of their own, each at its file:line', () => {
  assert.match(refusal(yaml('  - { name: shop, nodes: [cam, gw] }')), /^t\.yaml:\d+:\d+: sites\[0\]: missing required key 'brokers'/m);
  assert.match(refusal(yaml('  - { name: central, nodes: [gw], brokers: ["shop-kafka:9092"] }')), /sites\[0\]\.name: site 'central' is also the name of the backbone's cluster/);
  assert.match(refusal(yaml(`${SHOP}\n  - { name: shop, nodes: [cloud-1], brokers: ["b:1"] }`)), /sites\[1\]\.name: site 'shop' is also the name of sites\[0\]'s cluster/);
  assert.match(refusal(yaml('  - { name: shop, nodes: [gw], brokers: ["cloud-kafka:9092"] }')), /sites\[0\]\.brokers\[0\]: broker cloud-kafka:9092 is also the backbone's/);
  assert.match(refusal(yaml(`${SHOP}\n  - { name: other, nodes: [gw], brokers: ["b:1"] }`)), /sites\[1\]\.nodes\[0\]: node 'gw' is already in site 'shop'/);
  assert.match(refusal(yaml('  - { name: shop, nodes: [gateway], brokers: ["b:1"] }')), /sites\[0\]\.nodes\[0\]: unknown node 'gateway'/);
  assert.match(refusal(yaml(SHOP).replace('{ type: kafka, brokers: ["cloud-kafka:9092"] }', '{ type: embedded }')), /sites: sites need a kafka backbone/);
});

test('a frame topic may not leave the site whose tiers bound it', () => {
  // A second edge site whose gateway would detect the shop's frames: frames may reach the edge, but the shop has
  // an edge of its own, so they stay in it. A site of cameras only sends its frames to the gateway, as it must.
  const extra = '\n  - { name: gw2, tier: edge, cpu: 4, memory: 4096 }';
  const source = yaml(`${SHOP}\n  - { name: other, nodes: [gw2], brokers: ["other-kafka:9092"] }`, extra).replace('placement: { tier: edge } }', 'placement: { node: gw2 } }');
  assert.match(refusal(source), /frame topic \S+\.decode\.frames may not leave site shop \(policies\.frame: edge, the site reaches edge\), but 'detect' reads it in site other/);
  const camerasOnly = yaml(`${SHOP.replace('[cam, gw]', '[cam]')}\n  - { name: other, nodes: [gw], brokers: ["other-kafka:9092"] }`);
  assert.equal(planOf(camerasOnly).mirrors!.find((m) => m.from === 'shop')!.to, 'other');
});

test('answers made in the cloud go back down to the site that reads them: going in never takes data past its tier', () => {
  // match in the cloud, aggregate at the shop's gateway: the event topic is the cloud's, read at the shop.
  const source = yaml(SHOP)
    .replace('placement: { node: gw }, config', 'placement: { node: cloud-1 }, config')
    .replace('{ id: embed, uses: embed@1, inputs: [detect] }', '{ id: embed, uses: embed@1, inputs: [detect], placement: { node: cloud-1 } }')
    .replace('{ id: aggregate, uses: aggregate@1, inputs: [match], placement: { tier: cloud } }', '{ id: aggregate, uses: aggregate@1, inputs: [match], placement: { node: gw } }')
    .replace('{ id: detect, uses: detect@1, inputs: [decode], placement: { tier: edge } }', '{ id: detect, uses: detect@1, inputs: [decode], placement: { node: cloud-1 } }')
    .replace('sites:', 'policies: { frame: cloud, crop: cloud, embedding: cloud }\nsites:');
  const plan = planOf(source);
  const matches = plan.topics.find((t) => t.producer === 'match')!.name;
  assert.deepEqual(plan.mirrors!.find((m) => m.to === 'shop')?.topics, [matches]);
  assert.ok(plan.mirrors!.find((m) => m.to === 'central')!.topics.some((t) => t.endsWith('.decode.frames')), 'the frames go up (policy allows it here)');
});

test('a topic a site would both receive and send is refused: mirrored on, its records would arrive twice or loop', () => {
  const t = { name: 't', tiers: ['edge', 'cloud'], nodes: [{ name: 'a', tier: 'edge' }, { name: 'b', tier: 'cloud' }], policies: {}, backbone: { type: 'kafka', brokers: ['c:1'] }, sites: [{ name: 'shop', nodes: ['a'], brokers: ['s:1'] }] } as unknown as Topology;
  const topic = { name: 't.x', kind: 'stream', dataClass: 'event', producer: 'p', consumers: ['q'] } as PlannedTopic;
  const at = (operator: string, node: string) => ({ operator, node }) as Placement;
  assert.deepEqual(planSites(t, [topic], [at('p', 'a'), at('q', 'b')], () => 100)!.mirrors, [{ from: 'shop', to: 'central', topics: ['t.x'], bytesPerSecond: 100 + MIRROR_BYTES_PER_SECOND }]);
  assert.throws(() => planSites(t, [topic], [at('p', 'a'), at('p', 'b'), at('q', 'a'), at('q', 'b')]), /topic t\.x would be mirrored into site (shop|central) and out of it again, a loop/);
});
