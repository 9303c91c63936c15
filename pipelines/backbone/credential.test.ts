// A node's credential as its worker reads it: a 0600 JSON file, or a mounted Strimzi user Secret folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNodeCredential } from './credential.js';
import { TierflowError } from '../errors.js';
import { authzError, brokerError, isAuthzError } from './kafka/errors.js';
import { aclBindings, saltedPassword } from './kafka/access-admin.js';
import { pbkdf2Sync } from 'node:crypto';

const dir = mkdtempSync(join(tmpdir(), 'tierflow-cred-'));
const refused = (path: string, re: RegExp) =>
  assert.throws(() => readNodeCredential(path), (e: unknown) => e instanceof TierflowError && e.exitCode === 2 && re.test(e.message) && !e.message.includes('\n'));

test('a 0600 JSON file gives the user and password; wider modes, bad JSON and missing fields are one line each', () => {
  const f = join(dir, 'ok.json');
  writeFileSync(f, '{"username":"tierflow-t-cam","password":"s3cret"}', { mode: 0o600 });
  assert.deepEqual(readNodeCredential(f), { username: 'tierflow-t-cam', password: 's3cret' });
  chmodSync(f, 0o644);
  refused(f, /readable by others \(mode 644\); it must be 0600/);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{nope', { mode: 0o600 });
  refused(bad, /not JSON/);
  const empty = join(dir, 'empty.json');
  writeFileSync(empty, '{"username":"u"}', { mode: 0o600 });
  refused(empty, /expected \{"username"/);
  refused(join(dir, 'absent.json'), /no such file/);
});

test("a Strimzi user Secret folder: password from its file, the user from the JAAS line", () => {
  const s = join(dir, 'secret');
  mkdirSync(s);
  writeFileSync(join(s, 'password'), 'pw-from-strimzi\n');
  writeFileSync(join(s, 'sasl.jaas.config'), 'org.apache.kafka.common.security.scram.ScramLoginModule required username="tierflow-t-cam" password="pw-from-strimzi";');
  assert.deepEqual(readNodeCredential(s), { username: 'tierflow-t-cam', password: 'pw-from-strimzi' });
  const partial = join(dir, 'partial');
  mkdirSync(partial);
  writeFileSync(join(partial, 'password'), 'x');
  refused(partial, /needs the file sasl\.jaas\.config/);
});

test('authorisation failures are BROKER_AUTHZ and not retriable; authentication and reachability keep their codes', () => {
  const topicAuthz = Object.assign(new Error('Broker: Topic authorization failed'), { code: 29 });
  assert.equal(isAuthzError(topicAuthz), true);
  assert.equal(isAuthzError({ type: 'GROUP_AUTHORIZATION_FAILED', message: 'x' }), true);
  assert.equal(isAuthzError(new Error('connect ECONNREFUSED')), false);
  const e = brokerError(topicAuthz, ['k:1'], 'consuming t');
  assert.equal(e.code, 'BROKER_AUTHZ');
  assert.equal(e.retriable, false);
  assert.match(e.message, /denied consuming t: this node's principal is not authorised/);
  assert.equal(authzError(topicAuthz, ['k:1'], 'x').code, 'BROKER_AUTHZ');
  assert.equal(brokerError(Object.assign(new Error('SASL authentication error'), { code: -169 }), ['k:1'], 'x').code, 'BROKER_AUTH');
  assert.equal(brokerError(new Error('ECONNREFUSED'), ['k:1'], 'x').retriable, true);
});

test("the plan's ACL entries become one allow binding per operation; the salted password is PBKDF2 as KIP-554 asks", () => {
  const b = aclBindings('User:u', [{ resource: 'topic', name: 't', pattern: 'literal', operations: ['write', 'describe'] }, { resource: 'group', name: 'g', pattern: 'literal', operations: ['read'] }]);
  assert.deepEqual(b.map((x) => [x.resourceType, x.resourceName, x.resourcePatternType, x.operation, x.permissionType, x.principal, x.host]), [
    [2, 't', 3, 4, 3, 'User:u', '*'],
    [2, 't', 3, 8, 3, 'User:u', '*'],
    [3, 'g', 3, 3, 3, 'User:u', '*'],
  ]);
  const salt = Buffer.from('salt');
  assert.deepEqual(saltedPassword('SCRAM-SHA-512', 'pw', salt, 4096), pbkdf2Sync('pw', salt, 4096, 64, 'sha512'));
  assert.equal(saltedPassword('SCRAM-SHA-256', 'pw', salt, 4096).length, 32);
});
