// The adaptive controller's decisions against a worker it reads over HTTP (a stand-in serving /status and /metrics
// with the lag and drops the test sets) and a `tierflow migrate` that only exits: over its bound for `forMs` a chain
// gains a replica on the nearest node further out; under its bound for `backAfterMs` the replica goes again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { compileTopology } from '../../cli/compile.js';
import { installBuiltinOperators } from '../../registry.js';
import { AdaptiveController } from './controller.js';
import type { ControllerDecision, DesiredState, WorkerState } from './state.js';

const root = join(import.meta.dirname, '..', '..', '..', '..');

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a chain over its bound gains a replica on the nearest node further out; under it long enough, the replica goes', async () => {
  await installBuiltinOperators();
  const file = join(root, 'topology.yaml');
  const { plan } = await compileTopology(file);
  const chain = plan.chains.find((c) => c.consumerGroup && c.node === 'gateway')!;
  const head = chain.operators[0]!;
  const load = { lag: 0, dropped: 0 };
  const server = createServer((req, res) => {
    if (req.url === '/status') res.end(JSON.stringify({ operators: [{ operator: head, dropped: load.dropped }] }));
    else res.end(`tierflow_consumer_lag{chain="${chain.id}",topic="${chain.inputTopic}",partition="0"} ${load.lag}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const worker = { id: 'gateway', node: 'gateway', phase: 'ready', status: `${base}/status`, metrics: `${base}/metrics` } as WorkerState;
  let offload: Record<string, string[]> = {};
  const migrations: string[][] = [];
  let decisions: ControllerDecision[] = [];
  const controller = new AdaptiveController(
    {
      paths: { dir: '/tmp/tierflow-controller-test/t' } as never,
      // `tierflow migrate` as a child that exits 0: the decision is 'done'.
      cli: { execPath: process.execPath, args: ['-e', 'process.exit(0)'] },
      log: () => undefined,
      plan: () => plan,
      desired: () => ({ file, topology: plan.topology, offload }) as unknown as DesiredState,
      workers: () => [worker],
      busy: () => false,
      saved: (d) => (decisions = [...d]),
    },
    { maxLag: 30, maxDropsPerSec: 1, forMs: 300, backAfterMs: 400, intervalMs: 50 },
  );
  try {
    await controller.start();
    load.lag = 100;
    await until('an added replica', () => decisions.some((d) => d.action === 'add-replica'));
    const added = decisions.find((d) => d.action === 'add-replica')!;
    assert.deepEqual([added.chain, added.node, added.outcome], [chain.id, 'cloud-1', 'done']);
    assert.match(added.reason, /^over its bound for 0.3 s \(lag 100 records, 0.0 dropped frames\/s\)$/);
    migrations.push(['add', added.node!]);
    offload = Object.fromEntries(chain.operators.map((id) => [id, ['cloud-1']]));
    load.lag = 2;
    await until('the replica taken away', () => decisions.some((d) => d.action === 'remove-replica'));
    const removed = decisions.find((d) => d.action === 'remove-replica')!;
    assert.deepEqual([removed.node, removed.outcome], ['cloud-1', 'done']);
    assert.match(removed.reason, /^under its bound for 0.4 s \(lag 2 records, 0.0 dropped frames\/s\)$/);
    // Dropping frames counts as being over the bound too (a rate over maxDropsPerSec).
    offload = {};
    const before = decisions.length;
    const timer = setInterval(() => (load.dropped += 10), 50);
    await until('a second add, for drops', () => decisions.slice(before).some((d) => d.action === 'add-replica'));
    clearInterval(timer);
    assert.match(decisions.at(-1)!.reason, /lag 2 records, [\d.]+ dropped frames\/s/);
  } finally {
    controller.stop();
    server.close();
  }
});
