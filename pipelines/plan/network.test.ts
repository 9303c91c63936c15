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

test('a node named like a tier is that node in links, not its tier', () => {
  const net = buildNetwork({
    nodes: [...nodes, { name: 'edge', tier: 'edge', arch: 'amd64', cpu: 4, memory: 4096, accelerators: [], labels: {} }],
    links: [{ from: 'edge', to: 'cloud', latencyMs: 30, bandwidthMbps: 50, costPerGB: 0 }],
  });
  assert.equal(net.route('edge', 'cloud')?.latencyMs, 30);
  assert.deepEqual(net.route('gw-1', 'cloud')?.hops, ['gw-1', 'edge', 'cloud']);
  assert.equal(net.route('gw-1', 'cloud')?.latencyMs, 31);
});

// Reference: every node pair's direct hop spelled out (as the planner did before grouping nodes), then
// Floyd-Warshall by latency, then cost. Random small networks must get the same latency and cost.
function reference(ns: typeof nodes, links: Array<{ from: string; to: string; latencyMs: number; bandwidthMbps: number; costPerGB: number }>) {
  const names = ns.map((n) => n.name);
  const isNode = new Set(names);
  const expand = (end: string) => (isNode.has(end) ? [end] : ns.filter((n) => n.tier === end).map((n) => n.name));
  const direct = new Map<string, { rank: number; lat: number; cost: number }>();
  const set = (a: string, b: string, rank: number, lat: number, cost: number) => {
    if (a === b) return;
    for (const k of [`${a}|${b}`, `${b}|${a}`]) if ((direct.get(k)?.rank ?? -1) <= rank) direct.set(k, { rank, lat, cost });
  };
  for (const a of ns) for (const b of ns) if (a.tier === b.tier) set(a.name, b.name, 0, 1, 0);
  for (const l of links) for (const a of expand(l.from)) for (const b of expand(l.to)) set(a, b, isNode.has(l.from) && isNode.has(l.to) ? 2 : 1, l.latencyMs, l.costPerGB);
  const d = new Map<string, [number, number]>();
  for (const a of names) for (const b of names) d.set(`${a}|${b}`, a === b ? [0, 0] : direct.has(`${a}|${b}`) ? [direct.get(`${a}|${b}`)!.lat, direct.get(`${a}|${b}`)!.cost] : [Infinity, Infinity]);
  for (const k of names) for (const i of names) for (const j of names) {
    const [l1, c1] = d.get(`${i}|${k}`)!, [l2, c2] = d.get(`${k}|${j}`)!, [l, c] = d.get(`${i}|${j}`)!;
    if (l1 + l2 < l || (l1 + l2 === l && c1 + c2 < c - 1e-12)) d.set(`${i}|${j}`, [l1 + l2, c1 + c2]);
  }
  return d;
}

test('grouped routes equal the shortest paths over every node pair, on random networks', () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const tiers = ['device', 'edge', 'fog', 'cloud'];
  for (let trial = 0; trial < 200; trial++) {
    const ns = Array.from({ length: 2 + Math.floor(rnd() * 8) }, (_, i) => ({ ...nodes[0]!, name: `n${i}`, tier: tiers[Math.floor(rnd() * 4)]! }));
    const ends = [...tiers, ...ns.map((x) => x.name)];
    const pick = () => ends[Math.floor(rnd() * ends.length)]!;
    const links = Array.from({ length: Math.floor(rnd() * 6) }, () => ({ from: pick(), to: pick(), latencyMs: Math.floor(rnd() * 5), bandwidthMbps: 1 + Math.floor(rnd() * 100), costPerGB: Math.floor(rnd() * 3) / 10 }));
    const net = buildNetwork({ nodes: ns, links });
    const ref = reference(ns, links);
    for (const a of ns) for (const b of ns) {
      const [lat, cost] = ref.get(`${a.name}|${b.name}`)!;
      const r = net.route(a.name, b.name);
      const what = `${JSON.stringify({ ns: ns.map((n) => [n.name, n.tier]), links })} ${a.name}->${b.name}`;
      if (lat === Infinity) assert.equal(r, undefined, what);
      else {
        assert.equal(r?.latencyMs, lat, what);
        assert.ok(Math.abs((r?.costPerGB ?? NaN) - cost) < 1e-9, what);
        assert.equal(r?.hops[0], a.name);
        assert.equal(r?.hops[r.hops.length - 1], b.name);
      }
    }
  }
});
