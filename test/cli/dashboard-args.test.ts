// `tierflow dashboard` and run's dashboard flags: every bad flag is one line and exit 2, before anything listens;
// with --site only it serves a sites view, and its first line names it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { tierflow, tempDir } from '../helpers/deploy.js';
import { cliPath } from '../helpers/paths.js';

test('bad dashboard flags: one line, exit 2', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['dashboard', '--state-dir', tempDir('dash-none-')], /^no local deploy in /],
    [['dashboard', '--site', 'a=http://127.0.0.1:9/', '--bind', '0.0.0.0'], /^--bind 0\.0\.0\.0: a dashboard beyond loopback needs --token \$\{env:NAME\}/],
    [['dashboard', '--site', 'a=http://127.0.0.1:9/', '--token', 'hunter2'], /^--token: give it as an environment reference/],
    [['dashboard', '--site', 'a=http://127.0.0.1:9/', '--token', '${env:TIERFLOW_TEST_UNSET_TOKEN}'], /^--token: environment variable TIERFLOW_TEST_UNSET_TOKEN is not set/],
    [['dashboard', '--site', 'nonsense'], /^--site: expected name=http:\/\/host:port/],
    [['run', 'topology.yaml', '--dashboard-port', 'x'], /^--dashboard-port: expected a port/],
  ];
  for (const [args, want] of cases) {
    const r = await tierflow(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.trim(), want);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});

test('dashboard --site: the first line is its URL, and it reports the site down', async () => {
  const child = spawn(process.execPath, [cliPath, 'dashboard', '--port', '0', '--site', 'far=http://127.0.0.1:9/'], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const first = await new Promise<string>((resolve) => createInterface({ input: child.stderr! }).once('line', resolve));
    const m = /^dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(first);
    assert.ok(m, first);
    const state = (await (await fetch(`${m[1]}api/state`)).json()) as { sites: Array<{ name: string; up: boolean }>; pictures: { snapshots: boolean } };
    assert.deepEqual(state.sites.map((s) => [s.name, s.up]), [['far', false]]);
    assert.equal(state.pictures.snapshots, false);
  } finally {
    child.kill('SIGINT');
  }
});
