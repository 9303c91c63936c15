// A table an operator follows (match@1's live gallery): the plan derives its compacted topic, gives it to the chains
// that follow it (and to their node's ACLs, read only), lets the deploying principal write it, and with sites
// mirrors it from the central cluster down to every site the operator runs in, never back up. validate refuses a
// table on an embedded backbone and a match flow with both or neither of a gallery file and the live gallery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTopology } from '../topology/parse.js';
import { validateTopology } from '../topology/validate.js';
import { buildPlan } from './build.js';
import { OPERATORS } from '../../operators/index.js';
import { mirrorProcesses } from '../deploy/mirror.js';
import { plannedTopicSpecs } from '../runtime/provision.js';

const yaml = (opts: { match?: string; backbone?: string; sites?: boolean } = {}) => `name: t
nodes:
  - { name: cam, tier: device, cpu: 1, memory: 1024 }
  - { name: gw, tier: edge, cpu: 4, memory: 4096 }
  - { name: gw-2, tier: edge, cpu: 4, memory: 4096 }
  - { name: cloud-1, tier: cloud, cpu: 8, memory: 16384 }
links:
  - { from: device, to: edge, latencyMs: 2, bandwidthMbps: 100 }
  - { from: edge, to: cloud, latencyMs: 40, bandwidthMbps: 20 }
sources:
  - { name: cam-1, url: "demo:sample1.jpg", node: cam }
flows:
  - { id: decode, uses: decode@1, inputs: [cam-1], placement: { near: source } }
  - { id: detect, uses: detect@1, inputs: [decode], placement: { tier: edge } }
  - { id: embed, uses: embed@1, inputs: [detect] }
  - { id: match, uses: match@1, inputs: [embed], placement: { tier: edge }, config: ${opts.match ?? '{ liveGallery: true }'} }
  - { id: aggregate, uses: aggregate@1, inputs: [match], placement: { tier: cloud } }
  - { id: results, uses: results@1, inputs: [aggregate] }
backbone: ${opts.backbone ?? '{ type: kafka, brokers: ["cloud-kafka:9092"] }'}
${opts.sites ? `sites:
  - { name: shop, nodes: [cam, gw], brokers: ["shop-kafka:9092"], centralBrokers: ["wan-proxy:9096"] }
  - { name: depot, nodes: [gw-2], brokers: ["depot-kafka:9092"] }` : ''}
`;

const planOf = (source: string) => buildPlan(validateTopology(parseTopology(source, 't.yaml'), OPERATORS).topology, OPERATORS, 't.yaml').plan;
const refusal = (source: string) => {
  try {
    validateTopology(parseTopology(source, 't.yaml'), OPERATORS);
  } catch (e) {
    return (e as Error).message;
  }
  return 'accepted';
};

test('the live gallery is a compacted topic of its own that every chain running match follows and may only read', () => {
  const plan = planOf(yaml());
  const table = plan.topics.filter((t) => t.kind === 'table');
  assert.deepEqual(table.map((t) => [t.name, t.partitions, t.producer, t.consumers]), [['tierflow.t.gallery', 1, 'match', ['match']]]);
  const following = plan.chains.filter((c) => c.tableTopics?.includes('tierflow.t.gallery'));
  assert.ok(following.length > 0 && following.every((c) => c.operators.includes('match')));
  assert.ok(plan.chains.filter((c) => !c.operators.includes('match')).every((c) => c.tableTopics === undefined));
  // No chain writes it: it is not among any chain's outputs.
  assert.ok(plan.chains.every((c) => c.outputs.every((o) => o.topic !== 'tierflow.t.gallery')));
  assert.equal(plannedTopicSpecs(plan).find((s) => s.name === 'tierflow.t.gallery')?.compacted, true);
  for (const node of new Set(following.map((c) => c.node))) {
    const access = plan.access!.nodes.find((n) => n.node === node)!;
    const acl = access.acls.find((a) => a.resource === 'topic' && a.name === 'tierflow.t.gallery');
    assert.deepEqual([...(acl?.operations ?? [])].sort(), ['describe', 'read'], `${node} reads the gallery, and only reads it`);
    assert.ok(access.groups.includes('tierflow.restore.tierflow.t.gallery'), `${node}: the table reader's group id`);
  }
  assert.ok(plan.access!.provisioner.acls.some((a) => a.name === 'tierflow.t.gallery' && a.operations.includes('write')), 'the deploying principal writes the gallery');
});

test('a gallery file makes no table', () => {
  const plan = planOf(yaml({ match: '{ gallery: gallery.json }' }));
  assert.equal(plan.topics.filter((t) => t.kind === 'table').length, 0);
  assert.ok(plan.chains.every((c) => c.tableTopics === undefined));
});

test('with sites, the gallery travels down from the central cluster to the sites match runs in (not the depot, where it does not), and nothing of it goes up', () => {
  const plan = planOf(yaml({ sites: true }));
  const down = (plan.mirrors ?? []).filter((m) => m.topics.includes('tierflow.t.gallery'));
  assert.deepEqual(down.map((m) => [m.from, m.to]).sort(), [['central', 'shop']]);
  // The shop's MirrorMaker runs beside the shop and reads the central cluster across the WAN, by the address given.
  const shop = mirrorProcesses(plan).find((p) => p.site === 'shop')!;
  assert.match(shop.properties, /^central\.bootstrap\.servers = wan-proxy:9096$/m);
  assert.match(shop.properties, /^central->shop\.topics = tierflow\\\\\.t\\\\\.gallery$/m);
  // Matches still go up, and the cloud's MirrorMaker carries nothing down.
  assert.ok(plan.mirrors!.some((m) => m.to === 'central' && m.topics.some((t) => t.endsWith('.match.matches'))));
  assert.ok(plan.mirrors!.filter((m) => m.to === 'central').every((m) => !m.topics.includes('tierflow.t.gallery')));
});

test('validate refuses the live gallery on an embedded backbone, and a match with both or neither gallery', () => {
  assert.match(refusal(yaml({ backbone: '{ type: embedded }' })), /t\.yaml:\d+:\d+: .*follows the table tierflow\.t\.gallery.*needs backbone: \{ type: kafka \}/);
  assert.match(refusal(yaml({ match: '{ liveGallery: true, gallery: g.json }' })), /t\.yaml:\d+:\d+: .*either a gallery file or liveGallery: true, not both/);
  assert.match(refusal(yaml({ match: '{}' })), /t\.yaml:\d+:\d+: .*match needs a gallery file \(gallery: gallery\.json\) or liveGallery: true/);
});
