// `tierflow run` and `demo` host workers in their own process, so they start themselves again with the worker
// memory settings: checked on the real process tree of a demo run, which is then stopped by SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { needsWorkerSettings } from '../../pipelines/cli/worker-settings.js';
import { cliPath, repoRoot } from '../helpers/paths.js';

const argv = (...args: string[]) => ['node', 'main.js', ...args];

test('only run and demo, started without the settings, start again', () => {
  const bare: NodeJS.ProcessEnv = {};
  const tuned: NodeJS.ProcessEnv = { MALLOC_ARENA_MAX: '2', UV_THREADPOOL_SIZE: '16' };
  assert.equal(needsWorkerSettings(argv('run', 't.yaml'), [], bare), true);
  assert.equal(needsWorkerSettings(argv('demo'), [], bare), true);
  assert.equal(needsWorkerSettings(argv('run', 't.yaml'), ['--max-semi-space-size=1'], tuned), false);
  assert.equal(needsWorkerSettings(argv('run', 't.yaml'), [], { ...tuned, NODE_OPTIONS: '--max-semi-space-size=4' }), false, 'user settings win');
  assert.equal(needsWorkerSettings(argv('run', 't.yaml'), ['--max-semi-space-size=1'], bare), true, 'the environment half is missing');
  assert.equal(needsWorkerSettings(argv('validate', 't.yaml'), [], bare), false);
  assert.equal(needsWorkerSettings(argv('run', 't.yaml'), [], { TIERFLOW_RELAUNCHED: '1' }), false, 'never twice');
});

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

test('a demo run hosts its workers in a process with the settings, names its dashboard first, and SIGTERM stops it gracefully', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tierflow-settings-'));
  const topology = join(dir, 'topology.yaml');
  writeFileSync(topology, readFileSync(join(repoRoot, 'topology.yaml'), 'utf8').replace(/durationSec: \d+/, 'durationSec: 60'));
  const env = { ...process.env };
  delete env['MALLOC_ARENA_MAX'];
  delete env['UV_THREADPOOL_SIZE'];
  delete env['NODE_OPTIONS'];
  const launcher = spawn(process.execPath, [cliPath, 'demo', topology, '--json', '--data-dir', join(dir, 'data')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  launcher.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  launcher.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => launcher.on('exit', (code) => resolve(code)));
  try {
    for (let waited = 0; !/tierflow: running/.test(stderr); waited += 100) {
      assert.ok(waited < 90_000, `the demo did not start: ${stderr}`);
      await sleep(100);
    }
    // README: the demo's first line names its dashboard, which is up while the demo runs (and gone with it, below).
    const dashboard = /^dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(stderr.split('\n')[0]!)?.[1];
    assert.ok(dashboard, `first line: ${stderr.split('\n')[0]}`);
    assert.equal((await fetch(dashboard)).status, 200);
    const [host] = childrenOf(launcher.pid!).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('demo'));
    assert.ok(host, 'the demo runs in a process of its own');
    const environ = readFileSync(`/proc/${host}/environ`, 'utf8').split('\0');
    assert.ok(environ.includes('MALLOC_ARENA_MAX=2'));
    assert.ok(environ.includes('UV_THREADPOOL_SIZE=16'));
    assert.ok(readFileSync(`/proc/${host}/cmdline`, 'utf8').split('\0').includes('--max-semi-space-size=1'));
    await sleep(2000); // some frames through
    launcher.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as { type: string; frames: number };
    assert.equal(summary.type, 'summary');
    assert.ok(summary.frames > 0, 'frames went through before the stop');
    assert.match(stderr, /stopping: draining and committing/);
    assert.doesNotMatch(stderr, /failed/, 'the cameras were stopped, not broken');
    await assert.rejects(fetch(dashboard), 'the dashboard ends with the demo');
  } finally {
    launcher.kill('SIGKILL');
  }
});
