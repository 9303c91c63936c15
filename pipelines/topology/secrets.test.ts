import { test } from 'node:test';
import assert from 'node:assert/strict';
import { literalSecrets } from './secrets.js';

test('literal secrets are found anywhere; environment references pass', () => {
  const found = literalSecrets({
    backbone: { security: { username: 'alice', password: '${env:KAFKA_PASSWORD}' } },
    flows: [{ config: { nested: { token: 'abc' }, apiKey: '${env:KEY}', Secret: 42 } }],
  });
  assert.deepEqual(found.map((f) => f.path.join('.')), ['backbone.security.username', 'flows.0.config.nested.token', 'flows.0.config.Secret']);
});
