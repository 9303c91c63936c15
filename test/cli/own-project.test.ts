// Operators of a user's own project outside this repository, with no tierflow installed there: their
// `import … from 'tierflow'` gets the engine that runs them (pipelines/tierflow-resolve-hook.ts). Before stop 31 such
// a project could not be validated at all ("Cannot find package 'tierflow'") unless it installed its own copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tierflow } from '../helpers/deploy.js';
import { ownSensorsProject } from '../helpers/own-project.js';

void test("a project's own operators import 'tierflow' without installing it: validate and plan treat them as built-ins", async () => {
  const { dir, file } = ownSensorsProject('own-sensors');
  try {
    const env = { SENSORS_MQTT: 'mqtt://127.0.0.1:1883' };
    const v = await tierflow(['validate', file], { env });
    assert.equal(v.code, 0, v.stderr);
    const p = await tierflow(['plan', file, '--json'], { env });
    assert.equal(p.code, 0, p.stderr);
    const plan = JSON.parse(p.stdout) as { operatorModules: string[]; placements: Array<{ operator: string; uses: string }> };
    assert.deepEqual(plan.operatorModules.sort(), ['anomalies-mqtt', 'temperature-zscore'].map((o) => pathToFileURL(join(dir, 'operators', o, 'index.js')).href).sort());
    assert.ok(plan.placements.some((x) => x.operator === 'zscore' && x.uses === 'temperature-zscore@1'), JSON.stringify(plan.placements));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
