import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { containerEnvNames, workerMounts } from './container-launcher.js';
import { containerName, cpusFor, isOomKillOf, podmanCommand, workerRunArgs, DEPLOY_LABEL } from './podman.js';
import type { Plan } from '../../plan/types.js';

const container = {
  name: 'tierflow-t-gateway',
  image: 'localhost/tierflow:latest',
  limits: { cpu: 1, memoryMB: 1024 },
  deployDir: '/srv/state/t',
  mounts: ['/srv/topologies'],
  envNames: ['KAFKA_PASSWORD'],
  args: ['worker', '--plan', '/srv/state/t/plan.json', '--node', 'gateway'],
  hostCpus: 2,
  uid: 0,
  gid: 0,
};

const valueAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

test("a worker's container runs with its node's cpu and memory as limits, and no swap beyond the memory", () => {
  const args = workerRunArgs(container);
  assert.equal(args[0], 'run');
  assert.equal(valueAfter(args, '--cpus'), '1');
  assert.equal(valueAfter(args, '--memory'), '1024m');
  assert.equal(valueAfter(args, '--memory-swap'), '1024m');
  assert.equal(valueAfter(args, '--network'), 'host');
  assert.equal(valueAfter(args, '--label'), `${DEPLOY_LABEL}=/srv/state/t`);
  assert.ok(args.includes('--replace'));
  assert.ok(!args.includes('--rm'), 'removed by the supervisor after it read State.OOMKilled');
});

test('the deploy and topology folders are mounted at their own paths; the image comes before the worker arguments', () => {
  const args = workerRunArgs(container);
  const volumes = args.flatMap((a, i) => (a === '--volume' ? [args[i + 1]] : []));
  assert.deepEqual(volumes, ['/srv/state/t:/srv/state/t', '/srv/topologies:/srv/topologies']);
  assert.deepEqual(args.slice(args.indexOf(container.image)), [container.image, ...container.args]);
  assert.equal(valueAfter(args, '--env'), 'KAFKA_PASSWORD');
  assert.equal(valueAfter(args, '--user'), '0:0');
  // One folder holding both is mounted once.
  const same = workerRunArgs({ ...container, mounts: [container.deployDir] });
  assert.equal(same.filter((a) => a === '--volume').length, 1);
});

test('a node with more cores than this machine gets all of its cores (the runtime refuses more)', () => {
  assert.equal(cpusFor({ cpu: 16, memoryMB: 64 }, 2), '2');
  assert.equal(cpusFor({ cpu: 0.5, memoryMB: 64 }, 2), '0.5');
});

test('container names are podman-safe and differ per replica', () => {
  assert.equal(containerName('face-gateway', 'detect#2'), 'tierflow-face-gateway-detect-2');
  assert.notEqual(containerName('t', 'detect#2'), containerName('t', 'detect#3'));
});

test('a containerised worker gets the env the plan refers to and tierflow settings, nothing else', () => {
  const plan = { backbone: { type: 'kafka', brokers: ['b:1'], security: { protocol: 'sasl_ssl', username: '${env:KAFKA_USER}', password: '${env:KAFKA_PASSWORD}' } } } as unknown as Plan;
  const env = { KAFKA_USER: 'u', KAFKA_PASSWORD: 'p', TIERFLOW_LOG: 'debug', TIERFLOW_PODMAN: '/x/podman', PATH: '/bin', HOME: '/root' };
  assert.deepEqual(containerEnvNames(plan, env), ['KAFKA_PASSWORD', 'KAFKA_USER', 'TIERFLOW_LOG']);
  // A reference to an unset variable is left to the worker to report, as a process worker would.
  assert.deepEqual(containerEnvNames(plan, { KAFKA_USER: 'u' }), ['KAFKA_USER']);
});

test("podman is called with this machine's settings and the repository's containers.conf", () => {
  const p = podmanCommand({ PATH: '/bin' });
  assert.equal(p.file, 'podman');
  assert.deepEqual(p.args, ['--runtime', 'runc', '--storage-driver', 'overlay', '--cgroup-manager', 'cgroupfs']);
  assert.match(p.env.CONTAINERS_CONF ?? '', /infra\/containers\/containers\.conf$/);
  assert.equal(podmanCommand({ CONTAINERS_CONF: '/etc/mine.conf', TIERFLOW_PODMAN: '/opt/podman' }).env.CONTAINERS_CONF, '/etc/mine.conf');
  assert.equal(podmanCommand({ TIERFLOW_PODMAN: '/opt/podman' }).file, '/opt/podman');
});

test("a worker's container sees the topology's folder and the folders of its file: cameras", () => {
  const plan = { sources: [{ name: 'a', url: 'file:/data/video/clip.mp4' }, { name: 'b', url: 'file:clips/b.mp4' }, { name: 'c', url: 'rtsp://127.0.0.1:8554/c' }] } as unknown as Plan;
  assert.deepEqual(workerMounts(plan, '/srv/t/topology.yaml'), ['/srv/t', '/data/video', '/srv/t/clips']);
});

test("a worker's container sees the projects of the topology's own operators: their package.json says they are ES modules", () => {
  const project = mkdtempSync(join(tmpdir(), 'tierflow-own-'));
  try {
    mkdirSync(join(project, 'build', 'operators', 'x'), { recursive: true });
    writeFileSync(join(project, 'package.json'), '{"type":"module"}');
    const loose = mkdtempSync(join(tmpdir(), 'tierflow-loose-'));
    const plan = { sources: [], operatorModules: [pathToFileURL(join(project, 'build', 'operators', 'x', 'index.js')).href, pathToFileURL(join(loose, 'y.js')).href] } as unknown as Plan;
    assert.deepEqual(workerMounts(plan, '/srv/t/topology.yaml'), ['/srv/t', project, loose]);
    rmSync(loose, { recursive: true });
  } finally {
    rmSync(project, { recursive: true });
  }
});

test("an OOM kill is recognised in the kernel's log by the container's memory cgroup", () => {
  const id = '546cdad4aeba3f587af9357b6ee8bc4e15b5350ed9d01d41009a3224587e1990';
  const line = `[ 4978.057686] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=libpod-${id},mems_allowed=0,oom_memcg=/libpod_parent/libpod-${id},task_memcg=/libpod_parent/libpod-${id},task=node,pid=7677,uid=1000`;
  assert.equal(isOomKillOf(line, id), true);
  assert.equal(isOomKillOf(line, id.replace('546', '547')), false);
  assert.equal(isOomKillOf(`[ 1.0] Memory cgroup out of memory: Killed process 7677 (node) libpod-${id}`, id), false);
});
