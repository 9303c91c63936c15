import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createQuotas, inCgroup, parseCpuQuotas, quotaDir, removeQuotas } from './cpu-quota.js';

const NODES = ['gateway', 'fog-1'];

/** A stand-in for the v1 cpu controller's mount: the files createQuotas writes (the kernel makes them in a real one). */
function fakeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'tierflow-cgroup-'));
  writeFileSync(join(root, 'cpu.cfs_quota_us'), '-1');
  return root;
}

test('--cpu-quota flags: node=cores, refused for an unknown node or a quota that is not a positive number', () => {
  assert.deepEqual(parseCpuQuotas(['gateway=0.5', 'fog-1=1'], NODES), { gateway: 0.5, 'fog-1': 1 });
  assert.equal(parseCpuQuotas([], NODES), undefined);
  assert.throws(() => parseCpuQuotas(['cloud-9=1'], NODES), /--cpu-quota: no node 'cloud-9' in the topology \(nodes: gateway, fog-1\)/);
  assert.throws(() => parseCpuQuotas(['gateway=0'], NODES), /expected node=cores with cores > 0/);
  assert.throws(() => parseCpuQuotas(['gateway=half'], NODES), /expected node=cores/);
});

test('each node gets a cgroup with its quota over a 100 ms period; undeploy removes them', () => {
  const root = fakeRoot();
  process.env['TIERFLOW_CGROUP_CPU'] = root;
  try {
    const dirs = createQuotas('face-gateway', { gateway: 0.5, 'fog-1': 1.25 });
    assert.equal(dirs['gateway'], join(root, 'tierflow', 'face-gateway', 'gateway'));
    assert.equal(readFileSync(join(dirs['gateway']!, 'cpu.cfs_quota_us'), 'utf8'), '50000');
    assert.equal(readFileSync(join(dirs['fog-1']!, 'cpu.cfs_quota_us'), 'utf8'), '125000');
    assert.equal(readFileSync(join(dirs['fog-1']!, 'cpu.cfs_period_us'), 'utf8'), '100000');
    // A real cgroup directory holds only kernel files, which rmdir ignores; this stand-in has plain files.
    for (const d of Object.values(dirs)) for (const f of ['cpu.cfs_quota_us', 'cpu.cfs_period_us']) rmSync(join(d, f));
    removeQuotas('face-gateway');
    assert.equal(existsSync(join(root, 'tierflow')), false, 'the parent goes with the last deploy');
  } finally {
    delete process.env['TIERFLOW_CGROUP_CPU'];
    rmSync(root, { recursive: true, force: true });
  }
});

test('without the v1 cpu controller, --cpu-quota is refused in one line before anything starts', () => {
  const root = mkdtempSync(join(tmpdir(), 'tierflow-nocgroup-'));
  process.env['TIERFLOW_CGROUP_CPU'] = root;
  try {
    assert.throws(() => createQuotas('face-gateway', { gateway: 0.5 }), (e: Error) => /needs the cgroup v1 cpu controller at .*tierflow-nocgroup-/.test(e.message) && !e.message.includes('\n'));
    assert.equal(existsSync(join(root, 'tierflow')), false, 'nothing created');
  } finally {
    delete process.env['TIERFLOW_CGROUP_CPU'];
    rmSync(root, { recursive: true, force: true });
  }
});

// On a machine with the v1 cpu controller writable (this one, as root), a worker started through inCgroup runs inside
// its node's cgroup from its first instruction.
const real = existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us') && process.getuid?.() === 0;
test('a process started in the node\'s cgroup is in it, with its quota', { skip: real ? false : 'needs the cgroup v1 cpu controller and root' }, async () => {
  const deploy = `quota-test-${process.pid}`;
  const dirs = createQuotas(deploy, { gateway: 0.3 });
  try {
    const [file, ...args] = inCgroup(dirs['gateway']!, ['sleep', '2']);
    const child = spawn(file!, args, { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
    const cgroups = readFileSync(`/proc/${child.pid}/cgroup`, 'utf8');
    assert.match(cgroups, new RegExp(`cpu(,cpuacct)?:/tierflow/${deploy}/gateway\\n`), cgroups);
    assert.equal(readFileSync(join(quotaDir(deploy, 'gateway'), 'cpu.cfs_quota_us'), 'utf8').trim(), '30000');
    assert.equal(readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim(), 'sleep', 'the shell exec\'d the command: the pid is the worker\'s');
    child.kill();
    await new Promise((r) => child.once('exit', r));
  } finally {
    removeQuotas(deploy);
  }
  assert.equal(existsSync(join('/sys/fs/cgroup/cpu/tierflow', deploy)), false);
});
