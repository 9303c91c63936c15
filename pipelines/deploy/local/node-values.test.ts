import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePinnedCores } from './node-values.js';

const NODES = ['gateway', 'fog-1'];

test('--pin-cores flags: node=cpus as taskset reads them, refused for an unknown node or a malformed list', () => {
  assert.deepEqual(parsePinnedCores(['gateway=0', 'fog-1=1-2,4'], NODES), { gateway: '0', 'fog-1': '1-2,4' });
  assert.equal(parsePinnedCores([], NODES), undefined);
  assert.throws(() => parsePinnedCores(['cloud-9=1'], NODES), (e: Error) => e.message === "--pin-cores: no node 'cloud-9' in the topology (nodes: gateway, fog-1)");
  for (const bad of ['gateway=', 'gateway=one', 'gateway=1-', '=1', 'gateway']) {
    assert.throws(() => parsePinnedCores([bad], NODES), (e: Error) => e.message === `--pin-cores: expected node=cpus (e.g. gateway=0 or fog-1=1-2), got '${bad}'`, bad);
  }
});
