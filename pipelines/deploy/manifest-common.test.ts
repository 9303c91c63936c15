import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Plan } from '../plan/types.js';
import { CA_PATH, dnsLabel, planForContainer, secretEnvNames } from './manifest-common.js';

const kafkaPlan = (security: Record<string, string>): Plan =>
  ({ backbone: { type: 'kafka', brokers: ['k:9092'], security }, file: 'topology.yaml' }) as unknown as Plan;

test('dnsLabel turns chain ids into DNS-1035 labels', () => {
  assert.equal(dnsLabel('tf', 'face-gateway', 'decode.cam-node-1'), 'tf-face-gateway-decode-cam-node-1');
  assert.equal(dnsLabel('Cam_1', '--x--'), 'cam-1-x');
  assert.equal(dnsLabel('9lives'), 'tf-9lives');
});

test('dnsLabel keeps long names within 63 characters and apart by a hash of the full name', () => {
  const a = dnsLabel('tf', 'a'.repeat(80), 'one');
  const b = dnsLabel('tf', 'a'.repeat(80), 'two');
  assert.equal(a.length, 63);
  assert.notEqual(a, b);
  assert.match(a, /^[a-z]([-a-z0-9]*[a-z0-9])?$/);
});

test('secretEnvNames lists the ${env:NAME} references of the backbone credentials, once each', () => {
  assert.deepEqual(secretEnvNames(kafkaPlan({ username: '${env:U}', password: '${env:P}' })), ['P', 'U']);
  assert.deepEqual(secretEnvNames(kafkaPlan({ username: '${env:X}', password: '${env:X}' })), ['X']);
  assert.deepEqual(secretEnvNames(kafkaPlan({})), []);
  assert.deepEqual(secretEnvNames({ backbone: { type: 'embedded' } } as Plan), []);
});

test('planForContainer points relative paths at the mounted folder', () => {
  const embedded = { type: 'embedded' } as const;
  assert.equal(planForContainer({ file: 'examples/site/topology.yaml', backbone: embedded } as Plan).file, '/etc/tierflow/topology.yaml');
  assert.equal(planForContainer({ file: 'C:\\work\\t.yaml', backbone: embedded } as Plan).file, '/etc/tierflow/t.yaml');
  const withCa = planForContainer({ ...kafkaPlan({ caFile: '/home/me/ca.pem' }), file: 't.yaml' });
  assert.equal(withCa.backbone.type === 'kafka' && withCa.backbone.security?.caFile, CA_PATH);
});
