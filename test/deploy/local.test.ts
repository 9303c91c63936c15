// deploy --target local on the real broker: deploy, status, tail, a kill -9 restarted by the supervisor, scale,
// undeploy leaving no process; and the refusals (embedded backbone, invalid topology, a second deploy).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive } from '../../pipelines/deploy/local/state.js';
import { enrollReferenceGallery, gatewayTopology, kafkaBackbone, requireBrokers, tempDir, tierflow, uniqueName, until } from '../helpers/deploy.js';

const brokers = requireBrokers();
const dir = tempDir('tierflow-deploy-');
const stateDir = join(dir, 'state');
const name = uniqueName('deploy-test');
const file = join(dir, 'topology.yaml');
const sd = ['--state-dir', stateDir];

const topology = (topoName: string, backbone: string) =>
  gatewayTopology({ name: topoName, backbone, cameras: ['cam-a', 'cam-4'], fps: 10, resources: { cam: 'cpu: 1, memory: 1024', gateway: 'cpu: 2, memory: 4096', cloud: 'cpu: 4, memory: 8192' } });

interface StatusJson {
  supervisor: { pid: number; up: boolean };
  processes: Array<{ id: string; pid: number | null; state: string; restarts: number }>;
  operators: Array<{ operator: string; replicas: number; recordsIn: number }>;
  sources: Array<{ source: string; state: string }>;
}
const status = async () => JSON.parse((await tierflow(['status', name, '--json', ...sd])).stdout) as StatusJson;
const pidsOf = (s: StatusJson) => [s.supervisor.pid, ...s.processes.map((p) => p.pid)].filter((p): p is number => !!p);
const seen = new Set<number>();

before(async () => {
  await enrollReferenceGallery(dir);
  writeFileSync(file, topology(name, kafkaBackbone(brokers)));
});

after(async () => {
  await tierflow(['undeploy', name, ...sd]);
  for (const pid of seen) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

test('refusals: an embedded backbone, an invalid topology (exit 2, nothing started)', async () => {
  const embedded = join(dir, 'embedded.yaml');
  writeFileSync(embedded, topology(uniqueName('emb'), '{ type: embedded }'));
  const r1 = await tierflow(['deploy', embedded, ...sd]);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, /needs Kafka/);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, topology('bad', '{ type: kafka, brokers: [nope] }'));
  const r2 = await tierflow(['deploy', bad, ...sd]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /bad\.yaml:\d+:\d+/);
  assert.equal((await tierflow(['status', '--json', ...sd])).code, 2, 'no deploy state may exist');
});

test('deploy, status, tail, kill -9 and restart, scale, second deploy refused, undeploy', { timeout: 240_000 }, async () => {
  const d = await tierflow(['deploy', file, '--json', ...sd]);
  assert.equal(d.code, 0, d.stderr);
  const deployed = JSON.parse(d.stdout) as { workers: Array<{ id: string; pid: number; metrics: string }> };
  assert.deepEqual(deployed.workers.map((w) => w.id).sort(), ['cam-node', 'cloud-1', 'gateway']);

  const again = await tierflow(['deploy', file, ...sd]);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /already deployed/);

  const s1 = await until('frames through detect and both cameras connected', async () => {
    const s = await status();
    pidsOf(s).forEach((p) => seen.add(p));
    const detect = s.operators.find((o) => o.operator === 'detect');
    return s.processes.every((p) => p.state === 'up') && (detect?.recordsIn ?? 0) > 0 && s.sources.filter((c) => c.state === 'connected').length === 2 && s;
  }, 90_000);
  assert.equal(s1.supervisor.up, true);

  const tail = await tierflow(['tail', 'frames', '--topology', name, '--from-beginning', '--max', '3', ...sd], { timeoutMs: 60_000 });
  assert.equal(tail.code, 0, tail.stderr);
  const lines = tail.stdout.trim().split('\n').map((l) => JSON.parse(l) as { record: { camera: string; data: string } });
  assert.equal(lines.length, 3);
  assert.match(lines[0]!.record.data, /^<jpeg \d+ bytes>$/);

  const gateway = s1.processes.find((p) => p.id === 'gateway')!;
  // Workers run with the memory settings of runtime/process-tuning.ts.
  const environ = readFileSync(`/proc/${gateway.pid}/environ`, 'utf8').split('\0');
  assert.ok(environ.includes('MALLOC_ARENA_MAX=2'), 'the gateway worker has two malloc arenas');
  assert.ok(environ.includes('UV_THREADPOOL_SIZE=16'), "the gateway worker's thread pool has room beside its consumers");
  assert.ok(readFileSync(`/proc/${gateway.pid}/cmdline`, 'utf8').split('\0').includes('--max-semi-space-size=1'), 'and the small V8 nursery');
  process.kill(gateway.pid!, 'SIGKILL');
  const s2 = await until('the supervisor to restart the killed worker', async () => {
    const s = await status();
    const g = s.processes.find((p) => p.id === 'gateway');
    return g && g.restarts === 1 && g.state === 'up' && g.pid !== gateway.pid && s;
  }, 60_000);
  pidsOf(s2).forEach((p) => seen.add(p));
  assert.equal(alive(gateway.pid), false);

  const sc = await tierflow(['scale', 'detect=2', '--topology', name, ...sd], { timeoutMs: 90_000 });
  assert.equal(sc.code, 0, sc.stderr);
  assert.match(sc.stdout, /grown from 1 to 2 partitions/);
  const s3 = await until('the extra detect replica up', async () => {
    const s = await status();
    return s.processes.some((p) => p.id === 'detect#2' && p.state === 'up') && s;
  }, 60_000);
  pidsOf(s3).forEach((p) => seen.add(p));
  assert.equal(s3.operators.find((o) => o.operator === 'detect')?.replicas, 2);
  const state = JSON.parse(readFileSync(join(stateDir, name, 'plan.json'), 'utf8')) as { topics: Array<{ name: string; partitions: number }> };
  assert.equal(state.topics.find((t) => t.name.endsWith('.decode.frames'))?.partitions, 2);

  const down = await tierflow(['scale', 'detect=1', '--topology', name, ...sd], { timeoutMs: 60_000 });
  assert.equal(down.code, 0, down.stderr);
  const s4 = await status();
  assert.equal(s4.processes.some((p) => p.id === 'detect#2'), false);

  const u = await tierflow(['undeploy', name, ...sd], { timeoutMs: 90_000 });
  assert.equal(u.code, 0, u.stderr);
  for (const pid of seen) assert.equal(alive(pid), false, `pid ${pid} still runs after undeploy`);
  assert.equal((await tierflow(['status', name, ...sd])).code, 2);
});
