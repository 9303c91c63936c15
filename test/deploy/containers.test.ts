// deploy --target containers on the real broker, with real podman and the worker image: each node's worker is a
// container whose cpu and memory limits are the node's (as podman set them and as the kernel's cgroup holds them),
// status shows them, tail and scale work, undeploy leaves no container; and a worker that outgrows its memory
// limit is reported OOM-killed and restarted with backoff. Skipped, with the reason, when the image is not built.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { alive, readJson, type DesiredState, type SupervisorState } from '../../pipelines/deploy/local/state.js';
import { enrollReferenceGallery, gatewayTopology, kafkaBackbone, requireBrokers, tempDir, tierflow, uniqueName, until } from '../helpers/deploy.js';
import { containerLimits, containersLabelled, imageSkip, podmanInstalled, workerImage } from '../helpers/containers.js';
import { ownSensorsProject, publishSpike, watchAnomalies } from '../helpers/own-project.js';
import { Aedes } from 'aedes';

const brokers = requireBrokers();
const dir = tempDir('tierflow-containers-');
const stateDir = join(dir, 'state');
const name = uniqueName('ctr-test');
const file = join(dir, 'topology.yaml');
const sd = ['--state-dir', stateDir];
const skip = await imageSkip();

const topology = (topoName: string) =>
  gatewayTopology({ name: topoName, backbone: kafkaBackbone(brokers), cameras: ['cam-a'], fps: 5, resources: { cam: 'cpu: 0.5, memory: 512', gateway: 'cpu: 2.5, memory: 1536', cloud: 'cpu: 1, memory: 384' } });

interface StatusJson {
  supervisor: { pid: number; up: boolean };
  processes: Array<{ id: string; pid: number | null; state: string; restarts: number; container?: { name: string; pid: number | null; cpus: number; memoryMB: number }; lastExit?: { oomKilled?: boolean; code: number | null; stderr: string } }>;
  operators: Array<{ operator: string; replicas: number; recordsIn: number }>;
}
const status = async (topoName: string) => JSON.parse((await tierflow(['status', topoName, '--json', ...sd])).stdout) as StatusJson;

before(async () => {
  await enrollReferenceGallery(dir);
  writeFileSync(file, topology(name));
});

after(async () => {
  if (skip) return;
  await tierflow(['undeploy', name, ...sd], { timeoutMs: 90_000 });
});

test('deploy --target containers without the image: one line, exit 2, nothing started', async () => {
  const f = join(dir, 'no-image.yaml');
  const n = uniqueName('ctr-noimg');
  writeFileSync(f, topology(n));
  const r = await tierflow(['deploy', f, '--target', 'containers', '--image', 'localhost/tierflow:no-such-tag', ...sd]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  // Where podman itself is missing (CI's clean machine), that is the one line; where it is there, the image.
  const expected = (await podmanInstalled())
    ? /no image localhost\/tierflow:no-such-tag in podman's storage: build it with infra\/containers\/build\.sh/
    : /containers: 'podman' not found: install podman \(apt-get install podman runc\) or set TIERFLOW_PODMAN/;
  assert.match(r.stderr, expected);
  assert.equal((await tierflow(['status', n, ...sd])).code, 2, 'no deploy state may exist');
});

test('deploy --target containers: node limits enforced, status, tail, scale, undeploy leaves no container', { skip, timeout: 300_000 }, async () => {
  const d = await tierflow(['deploy', file, '--target', 'containers', '--image', workerImage, '--json', ...sd], { timeoutMs: 150_000 });
  assert.equal(d.code, 0, d.stderr);
  const deployed = JSON.parse(d.stdout) as { workers: Array<{ id: string; container: { name: string; pid: number; cpus: number; memoryMB: number } }> };
  assert.deepEqual(deployed.workers.map((w) => w.id).sort(), ['cam-node', 'cloud-1', 'gateway']);
  // A node larger than this machine gets all of its cores.
  const gatewayCpus = Math.min(2.5, availableParallelism());
  const want: Record<string, [number, number]> = { 'cam-node': [0.5, 512], gateway: [gatewayCpus, 1536], 'cloud-1': [1, 384] };
  for (const w of deployed.workers) {
    const [cpus, memoryMB] = want[w.id]!;
    assert.deepEqual([w.container.cpus, w.container.memoryMB], [cpus, memoryMB], w.id);
    const l = await containerLimits(w.container.name);
    assert.equal(l.memoryBytes, memoryMB * 2 ** 20, `${w.id}: podman's memory limit`);
    assert.equal(l.nanoCpus, cpus * 1e9, `${w.id}: podman's cpu limit`);
    assert.equal(l.cgroupMemoryBytes, memoryMB * 2 ** 20, `${w.id}: the kernel's memory limit on its cgroup`);
    assert.equal(l.cgroupCpus, cpus, `${w.id}: the kernel's cpu quota on its cgroup`);
    // The worker in the container is the CLI's worker, with the deploy's plan at the same path as on the host.
    assert.equal(l.pid, w.container.pid);
    assert.ok(readFileSync(`/proc/${l.pid}/cmdline`, 'utf8').split('\0').includes(join(stateDir, name, 'plan.json')));
  }

  const s1 = await until('frames through detect in containers', async () => {
    const s = await status(name);
    const detect = s.operators.find((o) => o.operator === 'detect');
    return s.processes.every((p) => p.state === 'up') && (detect?.recordsIn ?? 0) > 0 && s;
  }, 120_000);
  assert.equal(s1.supervisor.up, true);
  const text = (await tierflow(['status', name, ...sd])).stdout;
  assert.match(text, /LIMITS/);
  assert.match(text, new RegExp(`gateway\\s+gateway\\s+up\\s+\\d+\\s+0\\s+\\d+ s\\s+${gatewayCpus} cpu 1536 MB`));

  const tail = await tierflow(['tail', 'frames', '--topology', name, '--from-beginning', '--max', '2', ...sd], { timeoutMs: 60_000 });
  assert.equal(tail.code, 0, tail.stderr);
  assert.equal(tail.stdout.trim().split('\n').length, 2);

  const sc = await tierflow(['scale', 'detect=2', '--topology', name, ...sd], { timeoutMs: 150_000 });
  assert.equal(sc.code, 0, sc.stderr);
  const s2 = await until('the extra detect replica up in its own container', async () => {
    const s = await status(name);
    return s.processes.some((p) => p.id === 'detect#2' && p.state === 'up' && p.container) && s;
  }, 90_000);
  const extra = s2.processes.find((p) => p.id === 'detect#2')!;
  assert.equal(extra.container!.memoryMB, 1536, 'an extra replica runs with its node\'s limits');
  assert.equal((await containerLimits(extra.container!.name)).cgroupMemoryBytes, 1536 * 2 ** 20);

  const u = await tierflow(['undeploy', name, ...sd], { timeoutMs: 90_000 });
  assert.equal(u.code, 0, u.stderr);
  assert.deepEqual(await containersLabelled(join(stateDir, name)), [], 'containers left after undeploy');
  for (const p of s2.processes) assert.equal(alive(p.container?.pid), false, `${p.id} still runs`);
});

test('a worker over its memory limit is reported OOM-killed and restarted with backoff', { skip, timeout: 180_000 }, async () => {
  // The supervisor deploy starts, on a deploy whose gateway is given 48 MB: less than the planner would ever
  // allow for its operators (the topology's nodes cannot say so), so the real worker outgrows it while loading.
  const oomName = uniqueName('ctr-oom');
  const topoFile = join(dir, 'oom.yaml');
  writeFileSync(topoFile, topology(oomName));
  const planOut = await tierflow(['plan', topoFile, '--json']);
  assert.equal(planOut.code, 0, planOut.stderr);
  const deployDir = join(stateDir, oomName);
  mkdirSync(join(deployDir, 'logs'), { recursive: true });
  mkdirSync(join(deployDir, 'data'), { recursive: true });
  writeFileSync(join(deployDir, 'plan.json'), planOut.stdout);
  const limits = { 'cam-node': { cpu: 0.5, memoryMB: 512 }, gateway: { cpu: 1, memoryMB: 48 }, 'cloud-1': { cpu: 1, memoryMB: 384 } };
  const desired: DesiredState = { topology: oomName, file: topoFile, brokers: brokers.split(','), replicas: {}, generation: 1, restart: [], containers: { image: workerImage, nodes: limits } };
  writeFileSync(join(deployDir, 'desired.json'), JSON.stringify(desired));
  const main = new URL('../../pipelines/cli/main.js', import.meta.url).pathname;
  const out = openSync(join(deployDir, 'logs', 'supervisor.log'), 'a');
  const sup = spawn(process.execPath, [main, 'supervise', '--state', deployDir], { stdio: ['ignore', out, out], detached: true });
  closeSync(out);
  sup.unref();
  try {
    const state = await until('two OOM kills of the gateway, each followed by a restart', async () => {
      const s = readJson<SupervisorState>(join(deployDir, 'state.json'));
      const g = s?.workers.find((w) => w.id === 'gateway');
      return g && g.restarts >= 2 && g.lastExit?.oomKilled && s;
    }, 120_000);
    const g = state.workers.find((w) => w.id === 'gateway')!;
    assert.equal(g.lastExit!.code, 137);
    assert.match(g.lastExit!.stderr, /OOM-killed at its 48 MB memory limit/);
    assert.equal(g.everReady, false);
    // Backoff, not a loop: the restarts wait 1 s, then 2 s, ...
    const log = readFileSync(join(deployDir, 'logs', 'supervisor.log'), 'utf8');
    assert.match(log, /gateway exited \(code 137, signal null, OOM-killed\): restarting in 1 s: OOM-killed/);
    assert.match(log, /gateway exited \(code 137, signal null, OOM-killed\): restarting in 2 s: OOM-killed/);
    const s = await status(oomName);
    const row = s.processes.find((p) => p.id === 'gateway')!;
    assert.equal(row.lastExit?.oomKilled, true);
    assert.ok(row.restarts >= 2 && row.restarts <= 5, `restarts ${row.restarts}: backoff keeps them few`);
    const text = (await tierflow(['status', oomName, ...sd])).stdout;
    assert.match(text, /gateway: last exit .* \(code 137, signal null\): OOM-killed at its 48 MB memory limit \(node gateway\)/);
    // The other nodes' workers are unaffected and ready.
    assert.ok(s.processes.filter((p) => p.id !== 'gateway').every((p) => p.state === 'up'), JSON.stringify(s.processes.map((p) => [p.id, p.state])));
  } finally {
    const u = await tierflow(['undeploy', oomName, ...sd], { timeoutMs: 90_000 });
    assert.equal(u.code, 0, u.stderr);
    assert.deepEqual(await containersLabelled(deployDir), []);
    if (sup.pid && alive(sup.pid)) process.kill(sup.pid, 'SIGKILL');
  }
});

test("a project's own operators in containers: the image's engine serves their 'tierflow' imports, anomalies come out over MQTT", { skip, timeout: 240_000 }, async () => {
  // The sensors example as a user's project outside this repository (no tierflow installed there), on Kafka, with
  // an MQTT broker (aedes) on this machine: the containers use the host's network.
  const mqttBroker = await Aedes.createBroker();
  const subscribed = new Set<string>();
  mqttBroker.on('subscribe', (subs) => subs.forEach((s) => subscribed.add(s.topic)));
  const mqttServer = createServer(mqttBroker.handle);
  mqttServer.listen(0, '127.0.0.1');
  await once(mqttServer, 'listening');
  const mqttUrl = `mqtt://127.0.0.1:${(mqttServer.address() as { port: number }).port}`;
  const ownName = uniqueName('ctr-own');
  const own = ownSensorsProject(ownName, brokers);
  const env = { SENSORS_MQTT: mqttUrl };
  const anomalies = await watchAnomalies(mqttUrl);
  try {
    const d = await tierflow(['deploy', own.file, '--target', 'containers', '--image', workerImage, '--json', ...sd], { timeoutMs: 150_000, env });
    assert.equal(d.code, 0, d.stderr);
    const deployed = JSON.parse(d.stdout) as { workers: Array<{ id: string; container: { name: string } }> };
    assert.deepEqual(deployed.workers.map((w) => w.id).sort(), ['cloud-1', 'gateway', 'sensor-hub-1']);
    await until('the mqtt source to subscribe', async () => subscribed.has('sensors/hall/+'), 90_000, 200);
    await publishSpike(mqttUrl, 't1');
    await until('the spike as an anomaly from the containers', async () => anomalies.values.length > 0, 90_000, 200);
    assert.deepEqual(anomalies.values, [35]);
  } finally {
    const u = await tierflow(['undeploy', ownName, ...sd], { timeoutMs: 90_000 });
    assert.equal(u.code, 0, u.stderr);
    await anomalies.end();
    await new Promise<void>((r) => mqttBroker.close(() => r()));
    mqttServer.close();
    rmSync(own.dir, { recursive: true, force: true });
  }
});
