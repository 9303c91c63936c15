// A topology with sites as Kubernetes manifests: each site's workers use its own cluster, and a MirrorMaker 2
// ConfigMap and Deployment per site run at that site, validated offline like every other manifest. Compose, one
// host with one broker, refuses sites in one line.
import '../helpers/operators.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { validateManifestText } from './k8s-schema.js';
import { compileTopology } from '../../pipelines/cli/compile.js';
import { renderK8sManifests } from '../../pipelines/deploy/k8s/render.js';
import { renderCompose } from '../../pipelines/deploy/compose/render.js';
import { workloadName } from '../../pipelines/deploy/manifest-common.js';
import { repoRoot } from '../helpers/paths.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function sitesPlan() {
  const dir = mkdtempSync(join(tmpdir(), 'tierflow-sites-k8s-'));
  const file = join(dir, 'topology.yaml');
  const base = readFileSync(join(repoRoot, 'topology.yaml'), 'utf8')
    .replace('backbone:\n  type: embedded', 'backbone:\n  type: kafka\n  brokers: ["kafka.cloud:9092"]\n  site: cloud')
    .concat('\nsites:\n  - { name: shop, nodes: [cam-node-1, cam-node-2, gateway], brokers: ["kafka.shop:9092"], wanBrokers: ["kafka-wan.shop:9094"] }\n');
  writeFileSync(file, base);
  writeFileSync(join(dir, 'gallery.json'), '{"version":1,"model":"x","dim":128,"identities":[]}');
  return compileTopology(file);
}

test('k8s: MirrorMaker 2 beside the cloud pulls the shop\'s events across the WAN, and the shop\'s workers use the shop cluster', async () => {
  const compiled = await sitesPlan();
  const { plan } = compiled;
  assert.ok(plan.mirrors!.length > 0, 'the default flow sends its events from the shop to the cloud');
  const files = renderK8sManifests(plan, { image: 'registry.example/tierflow:0.1.0', nodes: compiled.valid.topology.nodes });
  for (const f of files) assert.deepEqual(validateManifestText(f.text), [], f.name);
  const mirrors = files.find((f) => f.name === '03-mirrors.yaml');
  assert.ok(mirrors, 'no 03-mirrors.yaml');
  const objs = parseAllDocuments(mirrors.text).map((d) => d.toJS() as Obj);
  assert.deepEqual(objs.map((o) => o.kind), ['ConfigMap', 'Deployment']);
  const props = objs[0]!.data['mm2.properties'] as string;
  assert.match(props, /^clusters = cloud, shop$/m);
  assert.match(props, /^shop\.bootstrap\.servers = kafka-wan\.shop:9094$/m);
  assert.match(props, /^cloud\.bootstrap\.servers = kafka\.cloud:9092$/m);
  assert.match(props, /^shop->cloud\.topics = /m);
  const pod = objs[1]!.spec.template.spec;
  assert.deepEqual(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values, ['cloud-1']); // beside the cluster it writes to
  assert.equal(pod.containers[0].image, 'apache/kafka:3.9.1');
  const all = files.flatMap((f) => parseAllDocuments(f.text).map((d) => d.toJS() as Obj));
  const brokersOf = (chainNode: string) => {
    const chain = plan.chains.find((c) => c.node === chainNode)!;
    const d = all.find((o) => o.kind === 'Deployment' && o.metadata.name === workloadName(plan, chain))!;
    return (d.spec.template.spec.containers[0].env as Obj[]).find((e) => e.name === 'TIERFLOW_BROKERS')?.value;
  };
  assert.equal(brokersOf('gateway'), 'kafka.shop:9092');
  assert.equal(brokersOf('cloud-1'), undefined); // the plan's own brokers: the central cluster
});

test('compose refuses a topology with sites in one line', async () => {
  const { plan } = await sitesPlan();
  assert.throws(() => renderCompose(plan, { image: 'tierflow:dev' }), /--target compose renders one Docker host with one broker; topology 'face-gateway' has sites/);
});
