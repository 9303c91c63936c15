// End to end: three RTSP cameras on a real server, a locally deployed topology (one worker process per node) on
// the real broker, the reference people recognised on every camera, and no frame or crop above the edge tier.
// Run twice: with workers as processes, and as containers of the worker image with their nodes' limits (skipped,
// with the reason, when the image is not built; CI builds it and requires it).
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { openBackbone } from '../../pipelines/backbone/open.js';
import { HEADER_SCHEMA } from '../../pipelines/backbone/contract.js';
import { codecFor } from '../../pipelines/streams/avro.js';
import type { Plan } from '../../pipelines/plan/types.js';
import { readJson } from '../../pipelines/deploy/local/state.js';
import { startRtspServer, publishCameras, stopAll, type RtspServer } from '../helpers/rtsp.js';
import { enrollReferenceGallery, hamiltonClip, requireBrokers, tempDir, tierflow, uniqueName } from '../helpers/deploy.js';
import { imageSkip, workerImage } from '../helpers/containers.js';
import { EVENTS } from '../../operators/streams/index.js';

const brokers = requireBrokers().split(',');
const dir = tempDir('tierflow-e2e-');
const sd = ['--state-dir', join(dir, 'state')];
const PEOPLE = ['Alex Lacamoire', 'Lin-Manuel Miranda'];
let server: RtspServer;

function topology(name: string, url: (path: string) => string): string {
  return `name: ${name}
tiers: [device, edge, fog, cloud]
nodes:
  - { name: cam-node-1, tier: device, cpu: 1, memory: 1024 }
  - { name: cam-node-2, tier: device, cpu: 1, memory: 1024 }
  - { name: gateway, tier: edge, cpu: 4, memory: 8192 }
  - { name: cloud-1, tier: cloud, cpu: 16, memory: 32768 }
links:
  - { from: device, to: edge, latencyMs: 2, bandwidthMbps: 100 }
  - { from: edge, to: cloud, latencyMs: 40, bandwidthMbps: 20 }
sources:
  - { name: cam1, url: "${url('cam1')}", node: cam-node-1, fps: 5 }
  - { name: cam2, url: "${url('cam2')}", node: cam-node-2, fps: 5 }
  - { name: cam3, url: "${url('cam3')}", node: gateway, fps: 5 }
flows:
  - { id: decode, uses: decode@1, inputs: [cam1, cam2, cam3], placement: { near: source } }
  - { id: detect, uses: detect@1, inputs: [decode], placement: { tier: edge } }
  - { id: embed, uses: embed@1, inputs: [detect] }
  - { id: match, uses: match@1, inputs: [embed], config: { gallery: gallery.json } }
  - { id: aggregate, uses: aggregate@1, inputs: [match], placement: { tier: cloud }, config: { window: tumbling, sizeMs: 3000 } }
  - { id: results, uses: results@1, inputs: [aggregate] }
policies: { frame: edge, crop: edge, embedding: fog, event: cloud }
backbone: { type: kafka, brokers: [${brokers.map((b) => `"${b}"`).join(', ')}] }
`;
}

before(async () => {
  server = await startRtspServer();
  await publishCameras(server, hamiltonClip, 3);
  await enrollReferenceGallery(dir);
});

const names: string[] = [];
after(async () => {
  for (const name of names) await tierflow(['undeploy', name, ...sd], { timeoutMs: 90_000 });
  await stopAll();
});

test('three RTSP cameras deployed locally: both people on every camera, no frame or crop above the edge', { timeout: 300_000 }, (t) => scenario(t, ['--target', 'local']));

test('the same with every node\'s worker in a container with the node\'s cpu and memory', { skip: await imageSkip(), timeout: 300_000 }, (t) =>
  scenario(t, ['--target', 'containers', '--image', workerImage]),
);

async function scenario(t: TestContext, target: string[]): Promise<void> {
  const name = uniqueName('e2e-rtsp');
  names.push(name);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, topology(name, server.url));
  const d = await tierflow(['deploy', file, ...target, ...sd], { timeoutMs: 180_000 });
  assert.equal(d.code, 0, d.stderr);
  t.diagnostic(d.stdout);
  const plan = readJson<Plan>(join(dir, 'state', name, 'plan.json'))!;
  const tierIndex = (tier: string) => plan.tiers.indexOf(tier);
  const edge = tierIndex('edge');
  for (const topic of plan.topics.filter((x) => x.dataClass === 'frame' || x.dataClass === 'crop')) {
    assert.ok(tierIndex(topic.fromTier) <= edge && tierIndex(topic.toTier) <= edge, `${topic.name} carries ${topic.dataClass} to ${topic.toTier}`);
  }

  // Results: until each camera has shown both people (bounded).
  const backbone = await openBackbone({ type: 'kafka', brokers });
  const seen = new Map<string, Set<string>>();
  const results = await backbone.consumer({ groupId: `${name}.check`, topics: [`tierflow.${name}.results`], fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void results.run(async (records) => {
      for (const r of records) {
        const e = codecFor(EVENTS).decode(r.value, r.headers);
        if (!seen.has(e.camera)) seen.set(e.camera, new Set());
        seen.get(e.camera)!.add(e.identity);
      }
      if (['cam1', 'cam2', 'cam3'].every((c) => PEOPLE.every((p) => seen.get(c)?.has(p)))) resolve();
    });
  });
  let statusText = '';
  const statusTimer = setTimeout(async () => (statusText = (await tierflow(['status', name, ...sd])).stdout), 40_000);
  let bound: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise((r) => (bound = setTimeout(r, 150_000)))]);
  clearTimeout(bound);
  clearTimeout(statusTimer);
  if (!statusText) statusText = (await tierflow(['status', name, ...sd])).stdout;
  t.diagnostic(`tierflow status during the run:\n${statusText}`);
  await results.close();
  for (const cam of ['cam1', 'cam2', 'cam3']) assert.deepEqual([...(seen.get(cam) ?? [])].sort(), PEOPLE, `identities on ${cam}`);

  // At run time: every topic of this topology read by a node above the edge carries no frames or faces.
  const admin = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((x) => x.startsWith(`tierflow.${name}.`));
  await admin.disconnect();
  const aboveEdge = plan.chains.filter((c) => tierIndex(c.tier) > edge && c.inputTopic).map((c) => c.inputTopic!);
  assert.ok(aboveEdge.length > 0 && aboveEdge.every((x) => topics.includes(x)));
  for (const topic of aboveEdge) {
    const c = await backbone.consumer({ groupId: `${name}.audit.${topic}`, topics: [topic], fromBeginning: true });
    const schemas = new Set<string>();
    await new Promise<void>((resolve) => {
      const stop = setTimeout(resolve, 10_000);
      void c.run(async (records) => {
        for (const r of records) schemas.add(r.headers[HEADER_SCHEMA] ?? '?');
        if (schemas.size > 0) {
          clearTimeout(stop);
          resolve();
        }
      });
    });
    await c.close();
    assert.ok(schemas.size > 0, `${topic}: no records to audit`);
    for (const s of schemas) assert.doesNotMatch(s, /^(frames|faces)\//, `${topic} carries ${s} above the edge`);
  }
  await backbone.close();

  const u = await tierflow(['undeploy', name, ...sd], { timeoutMs: 90_000 });
  assert.equal(u.code, 0, u.stderr);
}
