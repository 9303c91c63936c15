import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildNetwork, LAN } from './network.js';

const nodes = [
  { name: 'cam', tier: 'device', arch: 'arm64' as const, cpu: 1, memory: 512, accelerators: [], labels: {} },
  { name: 'gw-1', tier: 'edge', arch: 'amd64' as const, cpu: 4, memory: 4096, accelerators: [], labels: {} },
  { name: 'gw-2', tier: 'edge', arch: 'amd64' as const, cpu: 4, memory: 4096, accelerators: [], labels: {} },
  { name: 'cloud', tier: 'cloud', arch: 'amd64' as const, cpu: 16, memory: 16384, accelerators: [], labels: {} },
];

test('a tier link joins every node pair across the tiers; routes add latency and cost, keep the bottleneck', () => {
  const net = buildNetwork({
    nodes,
    links: [
      { from: 'device', to: 'edge', latencyMs: 2, bandwidthMbps: 100, costPerGB: 0 },
      { from: 'gw-2', to: 'cloud', latencyMs: 40, bandwidthMbps: 20, costPerGB: 0.09 },
    ],
  });
  assert.equal(net.route('cam', 'gw-2')?.latencyMs, 2);
  const toCloud = net.route('cam', 'cloud');
  assert.deepEqual(toCloud?.hops, ['cam', 'gw-2', 'cloud']);
  assert.equal(toCloud?.latencyMs, 42);
  assert.equal(toCloud?.bandwidthMbps, 20);
  assert.equal(toCloud?.costPerGB, 0.09);
  assert.equal(net.route('cloud', 'cam')?.latencyMs, 42, 'links are symmetric');
});

test('nodes of one tier share a LAN by default; different tiers without a link have no route', () => {
  const net = buildNetwork({ nodes, links: [] });
  assert.equal(net.route('gw-1', 'gw-2')?.latencyMs, LAN.latencyMs);
  assert.equal(net.route('cam', 'cloud'), undefined);
  assert.equal(net.route('cam', 'cam')?.latencyMs, 0);
});

test('a node link overrides the tier link for its pair', () => {
  const net = buildNetwork({
    nodes,
    links: [
      { from: 'device', to: 'edge', latencyMs: 2, bandwidthMbps: 100, costPerGB: 0 },
      { from: 'cam', to: 'gw-1', latencyMs: 9, bandwidthMbps: 10, costPerGB: 0 },
    ],
  });
  assert.equal(net.route('cam', 'gw-2')?.latencyMs, 2);
  // The direct 9 ms link loses to cam -> gw-2 -> gw-1 over the LAN (3 ms): shortest path wins.
  assert.equal(net.route('cam', 'gw-1')?.latencyMs, 3);
});
