// A topology with sites as Kubernetes manifests and as a compose file: each site's workers use its own cluster,
// and a MirrorMaker 2 per receiving site carries the planned topics into it. The k8s files are validated offline
// like every other manifest; the compose file, like the other compose tests, is read back and checked service by
// service, with the mm2.properties it mounts read as MirrorMaker reads them.
import '../helpers/operators.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { validateManifestText } from './k8s-schema.js';
import { compileTopology, type Compiled } from '../../pipelines/cli/compile.js';
import { renderK8sManifests } from '../../pipelines/deploy/k8s/render.js';
import { writeComposeFile } from '../../pipelines/deploy/compose/write.js';
import { mirrorProcesses } from '../../pipelines/deploy/mirror.js';
import { workloadName } from '../../pipelines/deploy/manifest-common.js';
import type { Plan } from '../../pipelines/plan/types.js';
import { repoRoot } from '../helpers/paths.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SHOP = '\nsites:\n  - { name: shop, nodes: [cam-node-1, cam-node-2, gateway], brokers: ["kafka.shop:9092"], wanBrokers: ["kafka-wan.shop:9094"] }\n';

/** The default topology on a kafka backbone (site `cloud`), with `sites` appended and `edit` applied. */
async function sitesPlan(sites = SHOP, edit = (t: string) => t) {
  const dir = mkdtempSync(join(tmpdir(), 'tierflow-sites-k8s-'));
  const file = join(dir, 'topology.yaml');
  const base = readFileSync(join(repoRoot, 'topology.yaml'), 'utf8')
    .replace('backbone:\n  type: embedded', 'backbone:\n  type: kafka\n  brokers: ["kafka.cloud:9092"]\n  site: cloud')
    .concat(sites);
  writeFileSync(file, edit(base));
  writeFileSync(join(dir, 'gallery.json'), '{"version":1,"model":"x","dim":128,"identities":[]}');
  return compileTopology(file);
}

/** Three sites in a row: the shop's matches go to a fog node in `region`, which aggregates and sends its events on
 *  to the cloud, so two sites receive topics (region from the shop, the cloud from region). */
const threeSites = () =>
  sitesPlan(`${SHOP}  - { name: region, nodes: [fog-1], brokers: ["kafka.region:9092"], wanBrokers: ["kafka-wan.region:9094"] }\n`, (t) =>
    t
      .replace('  - { name: cloud-1,', '  - { name: fog-1, tier: fog, arch: amd64, cpu: 4, memory: 4096 }\n  - { name: cloud-1,')
      .replace('  - { from: edge, to: cloud,', '  - { from: edge, to: fog, latencyMs: 10, bandwidthMbps: 50 }\n  - { from: fog, to: cloud, latencyMs: 30, bandwidthMbps: 20 }\n  - { from: edge, to: cloud,')
      .replace('    placement: { tier: cloud }\n', '    placement: { tier: fog }\n')
      .replace('    uses: results@1\n', '    uses: results@1\n    placement: { tier: cloud }\n')
      .replace('    uses: stdout@1\n', '    uses: stdout@1\n    placement: { tier: cloud }\n'),
  );

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
  assert.deepEqual(pod.containers[0].command, ['/opt/kafka/bin/connect-mirror-maker.sh', '/etc/mirror/mm2.properties', '--clusters', 'cloud']);
  const all = files.flatMap((f) => parseAllDocuments(f.text).map((d) => d.toJS() as Obj));
  const brokersOf = (chainNode: string) => {
    const chain = plan.chains.find((c) => c.node === chainNode)!;
    const d = all.find((o) => o.kind === 'Deployment' && o.metadata.name === workloadName(plan, chain))!;
    return (d.spec.template.spec.containers[0].env as Obj[]).find((e) => e.name === 'TIERFLOW_BROKERS')?.value;
  };
  assert.equal(brokersOf('gateway'), 'kafka.shop:9092');
  assert.equal(brokersOf('cloud-1'), undefined); // the plan's own brokers: the central cluster
});

/** The compose file for `compiled` as deploy writes it, read back; the folder is removed after `check`. */
function withCompose(compiled: Compiled, check: (compose: Obj, dir: string, written: string[]) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'tierflow-sites-compose-'));
  try {
    const written = writeComposeFile(compiled.plan, join(dir, 'compose.yaml'), { image: 'tierflow:dev', files: { 'gallery.json': '{}' } });
    check(parse(readFileSync(join(dir, 'compose.yaml'), 'utf8')) as Obj, dir, written);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** mm2.properties as java.util.Properties reads these `key = value` lines: `\\` in a value is one backslash. */
function readProperties(text: string): Map<string, string> {
  const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
  return new Map(lines.map((l) => {
    const [key, value] = l.split(' = ') as [string, string];
    return [key, value.replace(/\\\\/g, '\\')];
  }));
}

/** Every mirror-<site> service against the plan: one per receiving site, each reading the properties it mounts. */
function assertMirrors(plan: Plan, compose: Obj, dir: string): void {
  const receivers = [...new Set(plan.mirrors!.map((m) => m.to))].sort();
  assert.deepEqual(Object.keys(compose.services).filter((n) => n.startsWith('mirror-')).sort(), receivers.map((s) => `mirror-${s}`));
  const topicNames = [...new Set(plan.topics.map((t) => t.name))];
  for (const site of receivers) {
    const s = compose.services[`mirror-${site}`] as Obj;
    assert.equal(s.image, 'apache/kafka:3.9.1');
    assert.deepEqual([...s.entrypoint, ...s.command], ['/opt/kafka/bin/connect-mirror-maker.sh', '/etc/mirror/mm2.properties', '--clusters', site]);
    assert.equal(s.restart, 'unless-stopped');
    assert.equal(s.volumes.length, 1);
    const mount = /^\.\/([^/:]+):\/etc\/mirror\/mm2\.properties:ro$/.exec(s.volumes[0] as string);
    assert.ok(mount, `mirror-${site} mounts ${s.volumes[0]}, not one file beside compose.yaml read-only`);
    const file = join(dir, mount[1]!);
    assert.ok(existsSync(file), `${mount[1]} was not written beside compose.yaml`);
    const text = readFileSync(file, 'utf8');
    // The same derivation as the local deploy and the k8s ConfigMap, not a copy of it.
    assert.equal(text, mirrorProcesses(plan).find((p) => p.site === site)!.properties);
    const props = readProperties(text);
    const flows = plan.mirrors!.filter((m) => m.to === site);
    assert.deepEqual(props.get('clusters')!.split(', '), [site, ...flows.map((f) => f.from)]);
    assert.equal(props.get(`${site}.bootstrap.servers`), plan.sites!.find((x) => x.name === site)!.brokers.join(','), 'it produces into the cluster beside it');
    assert.deepEqual([...props.keys()].filter((k) => k.endsWith('.enabled') && k.includes('->')).sort(), flows.map((f) => `${f.from}->${site}.enabled`).sort());
    for (const f of flows) {
      assert.equal(props.get(`${f.from}->${site}.enabled`), 'true');
      assert.ok(props.get(`${f.from}.bootstrap.servers`), `no bootstrap.servers for ${f.from}`);
      // Read as MirrorMaker reads them, the patterns select exactly the planned topics among all the plan's topics.
      const patterns = props.get(`${f.from}->${site}.topics`)!.split(', ').map((p) => new RegExp(`^(?:${p})$`));
      assert.deepEqual(topicNames.filter((t) => patterns.some((p) => p.test(t))).sort(), [...f.topics].sort(), `${f.from}->${site}`);
    }
  }
}

test('compose: a mirror-<site> service beside the cloud runs MirrorMaker 2 on the mm2.properties it mounts, and each site\'s workers use its cluster', async () => {
  const compiled = await sitesPlan();
  const { plan } = compiled;
  assert.deepEqual(plan.mirrors!.map((m) => `${m.from}->${m.to}`), ['shop->cloud']);
  withCompose(compiled, (compose, dir, written) => {
    assertMirrors(plan, compose, dir);
    assert.ok(written.includes(join(dir, 'mirror-cloud.properties')));
    const props = readProperties(readFileSync(join(dir, 'mirror-cloud.properties'), 'utf8'));
    assert.equal(props.get('shop.bootstrap.servers'), 'kafka-wan.shop:9094'); // across the WAN, as the cloud reaches it
    assert.equal(props.get('cloud.bootstrap.servers'), 'kafka.cloud:9092');
    assert.equal(props.get('shop->cloud.topics'), 'tierflow\\.face\\-gateway\\.match\\.matches');
    // The clusters are the topology's: no Redpanda, users or secrets of the stack's own.
    for (const own of ['redpanda', 'topics', 'access']) assert.ok(!(own in compose.services), own);
    assert.equal(compose.secrets, undefined);
    assert.ok(!existsSync(join(dir, 'secrets')));
    const brokersOf = (node: string) => {
      const chains = plan.chains.filter((c) => c.node === node);
      assert.ok(chains.length > 0, `no chain on ${node}`);
      const values = chains.map((c) => compose.services[workloadName(plan, c)].environment.TIERFLOW_BROKERS as string);
      assert.equal(new Set(values).size, 1, node);
      return values[0];
    };
    assert.equal(brokersOf('gateway'), 'kafka.shop:9092');
    assert.equal(brokersOf('cam-node-1'), 'kafka.shop:9092');
    assert.equal(brokersOf('cloud-1'), 'kafka.cloud:9092');
    for (const c of plan.chains) {
      const s = compose.services[workloadName(plan, c)];
      assert.ok(!s.command.includes('--credential'), c.id);
      assert.equal(s.secrets, undefined, c.id);
    }
    const mounted = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as Plan;
    assert.deepEqual(mounted.backbone, plan.backbone);
    assert.deepEqual(mounted.nodeBrokers, plan.nodeBrokers);
  });
});

test('compose: with two receiving sites, each has its own mirror-<site> with only the flows into it', async () => {
  const compiled = await threeSites();
  const { plan } = compiled;
  assert.deepEqual(plan.mirrors!.map((m) => `${m.from}->${m.to}`).sort(), ['region->cloud', 'shop->region']);
  withCompose(compiled, (compose, dir) => {
    assertMirrors(plan, compose, dir);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.properties')).sort(), ['mirror-cloud.properties', 'mirror-region.properties']);
    const region = readProperties(readFileSync(join(dir, 'mirror-region.properties'), 'utf8'));
    assert.equal(region.get('clusters'), 'region, shop');
    assert.equal(region.get('shop.bootstrap.servers'), 'kafka.shop:9092'); // neither end is central: the shop's own brokers
    const aggregate = plan.chains.find((c) => c.operators.includes('aggregate'))!;
    assert.equal(aggregate.node, 'fog-1');
    assert.equal(compose.services[workloadName(plan, aggregate)].environment.TIERFLOW_BROKERS, 'kafka.region:9092');
  });
});

test('compose: a one-cluster topology has no mirror service and no mm2.properties', async () => {
  const compiled = await compileTopology(join(repoRoot, 'topology.yaml'));
  assert.equal(compiled.plan.sites, undefined);
  withCompose(compiled, (compose, dir) => {
    assert.deepEqual(Object.keys(compose.services).filter((n) => n.startsWith('mirror-')), []);
    assert.ok(!Object.values(compose.services as Record<string, Obj>).some((s) => s.image === 'apache/kafka:3.9.1'));
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.properties')), []);
    assert.ok('redpanda' in compose.services, 'its own broker, as before');
  });
});
