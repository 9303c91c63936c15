import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackbone, resolveEnvRefs } from './index.js';
import { TierflowError } from '../errors.js';

test('env references resolve, and an unset one names the variable', async () => {
  assert.equal(resolveEnvRefs('${env:A}-${env:B}', { A: 'x', B: 'y' }, 'f'), 'x-y');
  assert.equal(resolveEnvRefs('plain', {}, 'f'), 'plain');
  await assert.rejects(
    createBackbone({ type: 'kafka', brokers: ['127.0.0.1:1'], security: { protocol: 'SASL_SSL', mechanism: 'SCRAM-SHA-512', username: '${env:TF_TEST_USER_UNSET}', password: 'x' } }, {}),
    (e) => e instanceof TierflowError && e.code === 'BAD_ARGUMENT' && /TF_TEST_USER_UNSET is not set/.test(e.message),
  );
});

test('embedded backbone by default', async () => {
  const b = await createBackbone({ type: 'embedded' });
  assert.equal(b.kind, 'embedded');
  await b.close();
});
