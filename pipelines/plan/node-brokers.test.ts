// A node's own route to the brokers (`nodes[].brokers`): validated against the backbone, carried into the plan,
// and used for that node's workers only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTopology } from '../topology/parse.js';
import { validateTopology } from '../topology/validate.js';
import { buildPlan } from './build.js';
import { OPERATORS } from '../../operators/index.js';
import { brokersOfNode, workerArgs, workerProcesses } from '../deploy/local/processes.js';

const yaml = (camNode: string, backbone: string) => `name: t
nodes:
  - ${camNode}
  - { name: gw, tier: edge, cpu: 4, memory: 4096 }
  - { name: cloud-1, tier: cloud, cpu: 8, memory: 16384 }
links:
  - { from: device, to: edge, latencyMs: 2, bandwidthMbps: 100 }
  - { from: edge, to: cloud, latencyMs: 40, bandwidthMbps: 20 }
sources:
  - { name: cam, url: "demo:sample1.jpg", node: dev }
flows:
  - { id: decode, uses: decode@1, inputs: [cam], placement: { near: source } }
  - { id: detect, uses: detect@1, inputs: [decode], placement: { tier: edge } }
  - { id: embed, uses: embed@1, inputs: [detect] }
  - { id: match, uses: match@1, inputs: [embed], config: { gallery: gallery.json } }
  - { id: aggregate, uses: aggregate@1, inputs: [match], placement: { tier: cloud } }
  - { id: results, uses: results@1, inputs: [aggregate] }
backbone: ${backbone}
`;
const KAFKA = '{ type: kafka, brokers: ["kafka-1:9092"] }';

function planOf(source: string) {
  return buildPlan(validateTopology(parseTopology(source, 't.yaml'), OPERATORS).topology, OPERATORS, 't.yaml').plan;
}

test("a node's brokers reach the plan, and only that node's workers use them", () => {
  const plan = planOf(yaml('{ name: dev, tier: device, cpu: 1, memory: 1024, brokers: ["vpn-gw:19092", "vpn-gw:19093"] }', KAFKA));
  assert.deepEqual(plan.nodeBrokers, { dev: ['vpn-gw:19092', 'vpn-gw:19093'] });
  const deployBrokers = ['kafka-1:9092'];
  const args = Object.fromEntries(
    workerProcesses(plan, {}).map((p) => {
      const a = workerArgs(p, 'plan.json', brokersOfNode(plan, p.node, deployBrokers), 'data');
      return [p.id, a[a.indexOf('--brokers') + 1]];
    }),
  );
  assert.deepEqual(args, { dev: 'vpn-gw:19092,vpn-gw:19093', gw: 'kafka-1:9092', 'cloud-1': 'kafka-1:9092' });
});

test('without node brokers the plan has no nodeBrokers (the snapshot shape is unchanged)', () => {
  const plan = planOf(yaml('{ name: dev, tier: device, cpu: 1, memory: 1024 }', KAFKA));
  assert.equal('nodeBrokers' in plan, false);
  assert.deepEqual(brokersOfNode(plan, 'dev', ['k:1']), ['k:1']);
});

test('node brokers are refused with an embedded backbone and when not host:port', () => {
  assert.throws(() => planOf(yaml('{ name: dev, tier: device, cpu: 1, memory: 1024, brokers: ["vpn:1"] }', '{ type: embedded }')), /nodes\[0\]\.brokers: brokers on node 'dev' need a kafka backbone/);
  assert.throws(() => planOf(yaml('{ name: dev, tier: device, cpu: 1, memory: 1024, brokers: ["no-port"] }', KAFKA)), /nodes\[0\]\.brokers\[0\]/);
  assert.throws(() => planOf(yaml('{ name: dev, tier: device, cpu: 1, memory: 1024, brokers: [] }', KAFKA)), /nodes\[0\]\.brokers/);
});
