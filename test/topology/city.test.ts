// A city-sized topology through the built CLI (bench/city-topology.ts makes it; nothing huge is committed):
// it validates, and one wrong camera among thousands is one short line at that camera, naming it and its node.
// Speed is the plan benchmark's business (npm run bench -- plan), not this test's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, repoRoot } from '../helpers/paths.js';
import { cityTopology } from '../../bench/city-topology.js';

const CAMERAS = 2000;
const dir = mkdtempSync(join(tmpdir(), 'tierflow-city-'));
const city = cityTopology({ cameras: CAMERAS });

function validate(yaml: string, name: string) {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  const r = spawnSync(process.execPath, [cliPath, 'validate', file], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  return { file, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test(`a city of ${CAMERAS} camera nodes and cameras validates and plans`, () => {
  const r = validate(city, 'city.yaml');
  assert.equal(r.status, 0, r.stderr.slice(0, 500));
  assert.match(r.stdout, new RegExp(`${CAMERAS + Math.ceil(CAMERAS / 100) + 1} nodes, ${CAMERAS} sources`));
  assert.match(r.stdout, new RegExp(`-> ${CAMERAS + 6} placements`));
});

test('one camera attached to the cloud among thousands: one line at its source, naming it and the node', () => {
  const wrong = city.replace('node: cam-node-1234, fps', 'node: cloud-1, fps');
  assert.notEqual(wrong, city);
  const r = validate(wrong, 'city-wrong.yaml');
  assert.equal(r.status, 2);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 2, r.stderr.slice(0, 500)); // the problem, and the count
  const line = wrong.split('\n').findIndex((l) => l.includes('name: cam-1234,')) + 1;
  assert.match(lines[0]!, new RegExp(`^${r.file}:${line}:\\d+: sources\\[1233\\]\\.node: camera 'cam-1234' is attached to node 'cloud-1'`));
  assert.equal(lines[1], 'tierflow: 1 problem found');
});

test('an unknown node among thousands names a few of the known ones, not all', () => {
  const r = validate(city.replace('node: cam-node-0042, fps', 'node: cam-node-42, fps'), 'city-typo.yaml');
  assert.equal(r.status, 2);
  const [line] = r.stderr.split('\n');
  assert.match(line!, /sources\[41\]\.node: unknown node 'cam-node-42' \(nodes: cam-node-0001, .* and \d+ more\)/);
  assert.ok(line!.length < 400, `${line!.length} characters`);
});
