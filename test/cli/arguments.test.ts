// The bad-input table's command-line rows, run through the real CLI as a user would: one line, no stack trace,
// the documented exit code, and nothing left running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, repoRoot } from '../helpers/paths.js';
import { demoImageDir } from '../../operators/media/media-input.js';

function tierflow(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertOneLineError(r: ReturnType<typeof tierflow>, code: number, pattern: RegExp) {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

const scratch = mkdtempSync(join(tmpdir(), 'tierflow-cli-'));

test('run: a malformed --brokers list is a usage error', () => {
  assertOneLineError(tierflow('run', 'topology.yaml', '--brokers', 'nonsense'), 2, /--brokers: expected host:port/);
});

test('run: an unreachable broker fails within a bounded time with its own exit code', () => {
  const started = Date.now();
  const r = tierflow('run', 'topology.yaml', '--brokers', '127.0.0.1:1', '--until-sources-end');
  assertOneLineError(r, 3, /127\.0\.0\.1:1 unreachable/);
  assert.ok(Date.now() - started < 45_000, 'not a hang');
});

test('an unknown command or option is a usage error', () => {
  assertOneLineError(tierflow('plan', 'topology.yaml', '--graph', 'png'), 2, /png/);
  assertOneLineError(tierflow('launch'), 2, /unknown command/);
});

test('the CLI loads one command when it runs one; help and a misspelt command still see them all', () => {
  const help = tierflow('--help');
  assert.equal(help.code, 0, help.stderr);
  for (const c of ['validate', 'plan', 'run', 'demo', 'worker', 'deploy', 'undeploy', 'status', 'tail', 'scale', 'migrate', 'dashboard', 'schemas', 'docs', 'models', 'enroll', 'faces']) {
    assert.match(help.stdout, new RegExp(`^  ${c} `, 'm'), `--help lists ${c}`);
  }
  assertOneLineError(tierflow('valdate', 'topology.yaml'), 2, /unknown command 'valdate'\n?\(Did you mean validate\?\)/);
  const worker = tierflow('worker', '--help');
  assert.equal(worker.code, 0, worker.stderr);
  assert.match(worker.stdout, /^Usage: tierflow worker \[options\]/m);
  assert.match(worker.stdout, /--standby/);
  const enroll = tierflow('enroll', '--help');
  assert.match(enroll.stdout, /^Usage: tierflow enroll/m, 'a command of an operator module');
});

test('worker: a plan file that is not JSON, or a node the plan does not use', () => {
  const bad = join(scratch, 'plan.json');
  writeFileSync(bad, '{ not json');
  assertOneLineError(tierflow('worker', '--plan', bad, '--node', 'gateway'), 2, /not a readable plan JSON/);
  const plan = join(scratch, 'real-plan.json');
  writeFileSync(plan, tierflow('plan', 'topology.yaml', '--json').stdout);
  assertOneLineError(tierflow('worker', '--plan', plan, '--node', 'nowhere'), 2, /--node nowhere: the plan places nothing there/);
  assertOneLineError(tierflow('worker', '--plan', plan, '--node', 'gateway'), 2, /needs Kafka/);
});

test('enroll: a missing folder, or one without identity folders', () => {
  assertOneLineError(tierflow('enroll', join(scratch, 'missing'), '--gallery', join(scratch, 'g.json')), 2, /no such folder/);
  assertOneLineError(tierflow('enroll', scratch, '--gallery', join(scratch, 'g.json')), 2, /no identity sub-folders/);
});

test('faces: a score outside (0, 1) is refused before any image is read', () => {
  assertOneLineError(tierflow('faces', '--score', '1.5', join(scratch, 'any.jpg')), 2, /--score: expected a score between 0 and 1, got '1\.5'/);
  assertOneLineError(tierflow('faces', '--fallback-score', 'low', join(scratch, 'any.jpg')), 2, /--fallback-score: expected a score between 0 and 1, got 'low'/);
});

test('faces: an unreadable image is reported on its line and the exit is non-zero when nothing was readable', () => {
  const broken = join(scratch, 'broken.jpg');
  writeFileSync(broken, 'not a jpeg');
  const r = tierflow('faces', broken);
  assertOneLineError(r, 1, /broken\.jpg: not a readable image/);
  const line = JSON.parse(r.stdout.trim()) as { file: string; faces: unknown[]; error?: string };
  assert.deepEqual(line.faces, []);
  assert.ok(line.error);
});

test('faces: 1000 images on the command line (as xargs passes them) are all answered, no SIGSEGV', () => {
  // The command line's length is what overflowed (models/ort-telemetry.ts): ~70 kB here, over the ~40 kB that crashed.
  const unreadable = join(scratch, 'photo-folder-of-a-city-camera-export-that-is-not-really-a-jpeg.jpg');
  writeFileSync(unreadable, 'not a jpeg');
  const real = join(demoImageDir(), 'sample1.jpg');
  const args = [real, ...Array.from({ length: 999 }, () => unreadable)];
  const r = spawnSync(process.execPath, [cliPath, 'faces', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.signal, null, `killed by ${r.signal}`);
  assert.equal(r.status, 0, r.stderr.slice(0, 500));
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; faces: unknown[]; error?: string });
  assert.equal(lines.length, 1000);
  assert.ok((lines[0]?.faces.length ?? 0) > 0, 'the real image has faces');
  assert.equal(lines.filter((l) => l.error !== undefined).length, 999);
});
