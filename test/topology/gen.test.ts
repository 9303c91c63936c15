// The generated files are committed; this fails when the schema or an operator changed without regenerating.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

test('topology.schema.json and docs/operators.md are up to date (gen --check)', () => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'pipelines', 'cli', 'gen.js'), '--check'], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
});
