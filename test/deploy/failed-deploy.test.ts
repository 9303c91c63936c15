// A local deploy whose worker cannot start (a topology kept outside the project folder: no gallery.json beside it)
// fails fast with the worker's own first error line, and its logs survive the rollback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hamiltonClip, requireBrokers, tempDir, tierflow, uniqueName } from '../helpers/deploy.js';

test('a worker that cannot start: one line with its reason, quickly, and the logs kept', { timeout: 120_000 }, async () => {
  const brokers = requireBrokers();
  const dir = tempDir('tierflow-failed-deploy-');
  const name = uniqueName('no-gallery');
  const file = join(dir, 'topology.yaml');
  writeFileSync(
    file,
    `name: ${name}
nodes:
  - { name: gateway, tier: edge, cpu: 4, memory: 8192 }
sources:
  - { name: cam-a, url: "file:${hamiltonClip}", node: gateway, fps: 5, loop: true }
flows:
  - { id: decode, uses: decode@1, inputs: [cam-a] }
  - { id: detect, uses: detect@1, inputs: [decode] }
  - { id: embed, uses: embed@1, inputs: [detect] }
  - { id: match, uses: match@1, inputs: [embed], config: { gallery: gallery.json } }
  - { id: aggregate, uses: aggregate@1, inputs: [match], config: { window: tumbling, sizeMs: 2000 } }
  - { id: results, uses: results@1, inputs: [aggregate] }
backbone: { type: kafka, brokers: [${brokers.split(',').map((b) => `"${b}"`).join(', ')}] }
`,
  );
  const stateDir = join(dir, 'state');
  const t0 = Date.now();
  const r = await tierflow(['deploy', file, '--target', 'local', '--state-dir', stateDir]);
  const seconds = (Date.now() - t0) / 1000;
  assert.notEqual(r.code, 0, r.stdout);
  assert.match(r.stderr, /gateway/);
  assert.match(r.stderr, /gallery\.json: no such gallery file/, 'the worker\'s own reason is in the message');
  assert.ok(seconds < 50, `failed after ${seconds} s: a worker that cannot start must not wait for the 60 s readiness timeout`);
  const logs = join(stateDir, name, 'logs');
  assert.ok(existsSync(logs), `${logs} kept after the rollback`);
  assert.ok(readdirSync(logs).includes('gateway.log'), `the worker's log is kept: ${readdirSync(logs).join(', ')}`);
  assert.ok(!existsSync(join(stateDir, name, 'state.json')), 'the rest of the deploy is rolled back');
  const status = await tierflow(['status', name, '--state-dir', stateDir]);
  assert.notEqual(status.code, 0, 'nothing is left deployed');
});
