// Principals and ACLs derived from the plan: one principal per node, exactly the topics and groups its chains use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { validateTopologyFile } from '../topology/validate.js';
import { buildPlan } from './build.js';
import { OPERATORS } from '../../operators/index.js';
import { aclsFor, nodeTopicUses, planAccess } from './access.js';
import { deadLetterTopicName, principalName } from './names.js';
import { dlqTopicFor } from '../backbone/dead-letter.js';
import { renderPlanTable } from './render/table.js';
import type { Plan } from './types.js';

const root = join(import.meta.dirname, '..', '..', '..');
const plan = (): Plan => buildPlan(validateTopologyFile(join(root, 'topology.yaml'), OPERATORS).topology, OPERATORS, 'topology.yaml').plan;
const T = (s: string) => `tierflow.face-gateway.${s}`;

test('every node of the default topology gets its own derived principal', () => {
  const access = plan().access!;
  assert.deepEqual(access.nodes.map((n) => [n.node, n.principal]), [
    ['cam-node-1', 'User:tierflow-face-gateway-cam-node-1'],
    ['cam-node-2', 'User:tierflow-face-gateway-cam-node-2'],
    ['gateway', 'User:tierflow-face-gateway-gateway'],
    ['cloud-1', 'User:tierflow-face-gateway-cloud-1'],
  ]);
  assert.equal(new Set(access.nodes.map((n) => n.username)).size, access.nodes.length);
});

test('a camera node may only write its frames: no read anywhere, no results, no groups', () => {
  const cam = plan().access!.nodes.find((n) => n.node === 'cam-node-1')!;
  assert.deepEqual(cam.acls, [{ resource: 'topic', name: T('decode.frames'), pattern: 'literal', operations: ['write', 'describe'] }]);
  assert.deepEqual(cam.groups, []);
});

test('consumers read their input with their group and write its dead-letter topic; outputs are write-only', () => {
  const cloud = plan().access!.nodes.find((n) => n.node === 'cloud-1')!;
  assert.deepEqual(cloud.acls, [
    // aggregate keeps its windows in a changelog: written while running, read back on restore.
    { resource: 'topic', name: T('aggregate.changelog'), pattern: 'literal', operations: ['read', 'write', 'describe'] },
    { resource: 'topic', name: T('match.matches'), pattern: 'literal', operations: ['read', 'describe'] },
    { resource: 'topic', name: T('match.matches.dlq'), pattern: 'literal', operations: ['write', 'describe'] },
    { resource: 'topic', name: T('results'), pattern: 'literal', operations: ['write', 'describe'] },
    { resource: 'group', name: T('aggregate'), pattern: 'literal', operations: ['read'] },
    { resource: 'group', name: `tierflow.restore.${T('aggregate.changelog')}`, pattern: 'literal', operations: ['read'] },
  ]);
  const gateway = plan().access!.nodes.find((n) => n.node === 'gateway')!;
  // The gateway has a camera of its own (writes frames) and the detect chain (reads them).
  assert.deepEqual(gateway.topics.filter((u) => u.topic === T('decode.frames')).map((u) => [u.role, u.chains]), [
    ['consume', ['detect']],
    ['produce', ['decode.gateway']],
  ]);
  assert.deepEqual(gateway.acls.find((a) => a.name === T('decode.frames'))?.operations, ['read', 'write', 'describe']);
  assert.deepEqual(gateway.acls.find((a) => a.name === T('match.changelog'))?.operations, ['read', 'write', 'describe']);
  // A camera node has no stateful operator, so it gets no changelog at all.
  assert.ok(!plan().access!.nodes.find((n) => n.node === 'cam-node-1')!.acls.some((a) => a.name.endsWith('.changelog')));
});

test('nodes never get create, config or cluster rights: only the provisioner does', () => {
  const access = plan().access!;
  for (const n of access.nodes) {
    for (const a of n.acls) {
      assert.notEqual(a.resource, 'cluster');
      assert.equal(a.pattern, 'literal');
      assert.ok(a.operations.every((o) => ['read', 'write', 'describe'].includes(o)), `${n.node}: ${a.operations.join(',')}`);
    }
  }
  assert.ok(access.provisioner.acls.some((a) => a.resource === 'topic' && a.pattern === 'prefixed' && a.operations.includes('create')));
});

test('every planned topic and group is granted to someone, and every granted name is a planned one', () => {
  const p = plan();
  const granted = new Set(p.access!.nodes.flatMap((n) => n.acls.map((a) => `${a.resource}:${a.name}`)));
  const planned = new Set([
    ...p.topics.map((t) => `topic:${t.name}`),
    ...p.chains.filter((c) => c.inputTopic).map((c) => `topic:${dlqTopicFor(c.inputTopic!)}`),
    ...p.chains.filter((c) => c.consumerGroup).map((c) => `group:${c.consumerGroup}`),
    ...p.topics.filter((t) => t.kind === 'changelog').map((t) => `group:tierflow.restore.${t.name}`),
  ]);
  assert.deepEqual([...granted].sort(), [...planned].sort());
});

test('a new kind of topic in the role list gets its ACLs without new code (changelog hook)', () => {
  const p = plan();
  const withChangelog = { ...p, chains: p.chains.map((c) => (c.id === 'aggregate' ? { ...c, changelogTopics: [T('aggregate.changelog')] } : c)) };
  const uses = nodeTopicUses(withChangelog, 'cloud-1');
  assert.deepEqual(uses.find((u) => u.role === 'changelog'), { topic: T('aggregate.changelog'), role: 'changelog', chains: ['aggregate'] });
  const acl = planAccess(withChangelog).nodes.find((n) => n.node === 'cloud-1')!.acls.find((a) => a.name === T('aggregate.changelog'));
  assert.deepEqual(acl?.operations, ['read', 'write', 'describe']);
  assert.deepEqual(aclsFor([], ['g']), [{ resource: 'group', name: 'g', pattern: 'literal', operations: ['read'] }]);
});

test('the plan and the dead-letter writer agree on names; principals are derived from topology and node', () => {
  assert.equal(deadLetterTopicName('a.b'), dlqTopicFor('a.b'));
  assert.equal(principalName('t', 'n'), 'tierflow-t-n');
});

test('plan shows the access table', () => {
  const text = renderPlanTable(plan());
  assert.match(text, /Kafka access/);
  assert.match(text, /cam-node-1 +User:tierflow-face-gateway-cam-node-1 +topic:tierflow\.face-gateway\.decode\.frames +write,describe +produce/);
});
