// README's "Using it" says `npx tierflow <command>` after `npm ci`: that is what a newcomer types, so it must work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/paths.js';

const run = promisify(execFile);

// npx links the project into its cache once per path and sets the bin's exec bit only then; a later rebuild writes a
// new file without it (CI: `sh: tierflow: Permission denied`), so the build itself must set it.
void test('the build leaves the CLI executable', () => {
  const mode = statSync(join(repoRoot, 'dist/pipelines/cli/main.js')).mode;
  assert.equal(mode & 0o111, 0o111, `mode ${(mode & 0o777).toString(8)}`);
});

void test('npx tierflow runs the built CLI from the project folder, without installing anything', async () => {
  const { stdout } = await run('npx', ['--no-install', 'tierflow', '--version'], { cwd: repoRoot, timeout: 60_000 });
  assert.equal(stdout.trim(), '0.1.0');
  const validate = await run('npx', ['--no-install', 'tierflow', 'validate', 'topology.yaml'], { cwd: repoRoot, timeout: 60_000 });
  assert.match(validate.stdout + validate.stderr, /face-gateway/);
});
