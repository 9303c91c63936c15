// The default topology's plan, byte for byte. A change in placement, naming or shape shows up here on purpose.
// Update after an intended change: UPDATE_SNAPSHOTS=1 node --test dist/test/topology/plan-snapshot.test.js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { validateTopologyFile } from '../../pipelines/topology/validate.js';
import { buildPlan } from '../../pipelines/plan/build.js';
import { OPERATORS } from '../../operators/index.js';

const snapshot = join(repoRoot, 'test', 'topology', 'fixtures', 'face-gateway.plan.json');

test('the default topology plans exactly as the committed snapshot', () => {
  const valid = validateTopologyFile(join(repoRoot, 'topology.yaml'), OPERATORS);
  const { plan } = buildPlan(valid.topology, OPERATORS, 'topology.yaml');
  const text = `${JSON.stringify(plan, null, 2)}\n`;
  if (process.env['UPDATE_SNAPSHOTS'] === '1') writeFileSync(snapshot, text);
  assert.equal(text, readFileSync(snapshot, 'utf8'), 'plan changed; if intended, rerun with UPDATE_SNAPSHOTS=1');
});
