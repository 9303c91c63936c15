// The dashboard over a deploy: each worker's /status is its node's, so figures are per placement (an operator on
// three nodes is three boxes, not one sum), lag comes from the workers (it was always 0 here before stop 31), and
// a worker that does not answer is its node down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployStatusProvider } from './status.js';
import type { Plan } from '../plan/types.js';

const plan = { chains: [{ node: 'cam-a' }, { node: 'cam-b' }, { node: 'gateway' }, { node: 'gateway' }] } as unknown as Plan;
const op = (operator: string, fps: number, lag: number, dropped = 0) => ({ operator, fps, recordsIn: fps * 10, recordsOut: fps * 10, dropped, lag, busyMs: 0 });
const answers: Record<string, unknown> = {
  'http://a/status': { healthy: true, operators: [op('decode', 5, 0)], sources: [{ source: 'cam-1', state: 'connected', since: 1 }] },
  'http://g/status': { healthy: true, operators: [op('detect', 9, 4, 2), op('embed', 10, 0)], sources: [] },
  'http://g2/status': { healthy: true, operators: [op('detect', 1, 3)], sources: [] },
};
const fakeFetch = (async (url: string) => {
  const body = answers[url];
  if (!body) throw new Error('fetch failed');
  return { json: async () => body };
}) as unknown as typeof fetch;

void test('a deploy: figures per node with their lag, a node that does not answer is down', async () => {
  const provider = deployStatusProvider(plan, () => [{ node: 'cam-a', status: 'http://a/status' }, { node: 'cam-b', status: 'http://b/status' }, { node: 'gateway', status: 'http://g/status' }, { node: 'gateway', status: 'http://g2/status' }], fakeFetch);
  const s = await provider();
  assert.deepEqual(s.nodes.map((n) => [n.name, n.up]), [['cam-a', true], ['cam-b', false], ['gateway', true]]);
  assert.match(s.nodes[1]!.detail!, /http:\/\/b\/status: fetch failed/);
  assert.deepEqual(
    s.operators.map(({ operator, node, fps, lag, dropped }) => ({ operator, node, fps, lag, dropped })),
    [
      { operator: 'decode', node: 'cam-a', fps: 5, lag: 0, dropped: 0 },
      // Two workers on one node (a replica of detect's chain in its own process): one placement, rates added; each
      // reports its group's lag over every partition, so the larger one is the group's.
      { operator: 'detect', node: 'gateway', fps: 10, lag: 4, dropped: 2 },
      { operator: 'embed', node: 'gateway', fps: 10, lag: 0, dropped: 0 },
    ],
  );
  assert.deepEqual(s.sources.map((x) => x.source), ['cam-1']);
});
