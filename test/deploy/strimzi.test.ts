// Least privilege on Kubernetes (--strimzi-cluster): a KafkaUser per node carrying exactly the plan's ACLs, a
// KafkaTopic per topic, each node's user Secret mounted in that node's pods only, no shared credential in any pod,
// and the gallery only where match runs. Validated offline like every other manifest.
import '../helpers/operators.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../helpers/paths.js';
import { validateManifest } from './k8s-schema.js';
import { compileTopology } from '../../pipelines/cli/compile.js';
import { renderK8sManifests, type K8sOptions } from '../../pipelines/deploy/k8s/render.js';
import { KAFKA_USER_DIR } from '../../pipelines/deploy/k8s/strimzi.js';
import { workloadName } from '../../pipelines/deploy/manifest-common.js';
import type { Plan } from '../../pipelines/plan/types.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const compiled = await compileTopology(join(repoRoot, 'topology.yaml'));
const plan: Plan = structuredClone(compiled.plan);
plan.backbone = {
  type: 'kafka',
  brokers: ['my-cluster-kafka-bootstrap:9093'],
  security: { protocol: 'SASL_SSL', mechanism: 'SCRAM-SHA-512', username: '${env:KAFKA_USER}', password: '${env:KAFKA_PASSWORD}' },
};
const options: K8sOptions = { image: 'tierflow:dev', nodes: compiled.valid.topology.nodes, strimziCluster: 'my-cluster', files: { 'gallery.json': '{"identities":[]}' } };
const objs = (o: K8sOptions = options): Obj[] => renderK8sManifests(plan, o).flatMap((f) => parseAllDocuments(f.text).map((d) => d.toJS() as Obj));

test('a KafkaUser per node with exactly its plan ACLs, and a KafkaTopic per topic and dead-letter topic', () => {
  const all = objs();
  for (const o of all) assert.deepEqual(validateManifest(o), [], `${o.kind}/${o.metadata.name}`);
  const users = all.filter((o) => o.kind === 'KafkaUser');
  assert.deepEqual(users.map((u) => u.metadata.name), plan.access!.nodes.map((n) => n.username));
  const cam = users.find((u) => u.metadata.labels['tierflow.dev/node'] === 'cam-node-1')!;
  assert.equal(cam.metadata.labels['strimzi.io/cluster'], 'my-cluster');
  assert.deepEqual(cam.spec, {
    authentication: { type: 'scram-sha-512' },
    authorization: { type: 'simple', acls: [{ resource: { type: 'topic', name: 'tierflow.face-gateway.decode.frames', patternType: 'literal' }, operations: ['Write', 'Describe'], host: '*' }] },
  });
  const cloud = users.find((u) => u.metadata.labels['tierflow.dev/node'] === 'cloud-1')!;
  assert.deepEqual(cloud.spec.authorization.acls.find((a: Obj) => a.resource.type === 'group'), { resource: { type: 'group', name: 'tierflow.face-gateway.aggregate', patternType: 'literal' }, operations: ['Read'], host: '*' });
  const topics = all.filter((o) => o.kind === 'KafkaTopic').map((t) => t.spec.topicName).sort();
  assert.deepEqual(topics, [...plan.topics.map((t) => t.name), 'tierflow.face-gateway.decode.frames.dlq', 'tierflow.face-gateway.match.matches.dlq'].sort());
});

test("each node's pods mount that node's user Secret only, get no shared credential, and see the gallery only where match runs", () => {
  const all = objs();
  for (const chain of plan.chains) {
    const d = all.find((o) => o.kind === 'Deployment' && o.metadata.name === workloadName(plan, chain))!;
    const pod = d.spec.template.spec;
    const user = plan.access!.nodes.find((n) => n.node === chain.node)!.username;
    const secrets = pod.volumes.filter((v: Obj) => v.secret).map((v: Obj) => v.secret.secretName);
    assert.deepEqual(secrets, [user], `${chain.id} mounts only ${user}`);
    const c = pod.containers[0];
    assert.deepEqual(c.args.slice(-2), ['--credential', KAFKA_USER_DIR]);
    assert.deepEqual(c.env, [], `${chain.id}: no shared credential in the environment`);
    const items = pod.volumes.find((v: Obj) => v.name === 'plan').configMap.items.map((i: Obj) => i.key);
    assert.deepEqual(items, chain.operators.includes('match') ? ['plan.json', 'gallery.json'] : ['plan.json'], chain.id);
  }
});

test('the schema check rejects a KafkaUser Strimzi would refuse', () => {
  const user = objs().find((o) => o.kind === 'KafkaUser')!;
  const bad = structuredClone(user);
  bad.spec.authorization.acls[0].operations = ['Steal'];
  assert.match(validateManifest(bad).join('\n'), /operations/);
  const noCluster = structuredClone(user);
  delete noCluster.metadata.labels['strimzi.io/cluster'];
  assert.match(validateManifest(noCluster).join('\n'), /strimzi\.io\/cluster/);
});

test('without --strimzi-cluster nothing changes: no Strimzi resources, the shared Secret as before', () => {
  const all = objs({ ...options, strimziCluster: undefined });
  assert.equal(all.some((o) => o.kind === 'KafkaUser' || o.kind === 'KafkaTopic'), false);
  const d = all.find((o) => o.kind === 'Deployment')!;
  assert.ok(d.spec.template.spec.containers[0].env.some((e: Obj) => e.valueFrom?.secretKeyRef?.name === 'tf-face-gateway-kafka'));
});
