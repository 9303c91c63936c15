import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brokerError, describe, isAuthzError, rdkafkaCodeName, RD } from './errors.js';

void test('librdkafka codes have names, and messages carry them', () => {
  assert.equal(rdkafkaCodeName(-195), 'ERR__TRANSPORT');
  assert.equal(rdkafkaCodeName(RD.ERR_TOPIC_AUTHORIZATION_FAILED), 'ERR_TOPIC_AUTHORIZATION_FAILED');
  assert.equal(rdkafkaCodeName(123_456), undefined);
  const transport = Object.assign(new Error('Local: Broker transport failure'), { code: -195 });
  assert.equal(describe(transport), 'Local: Broker transport failure (ERR__TRANSPORT)');
  assert.equal(describe(new Error('plain')), 'plain');
  const e = brokerError(transport, ['k:9092'], 'consuming');
  assert.equal(e.code, 'BROKER_UNREACHABLE');
  assert.match(e.message, /unreachable while consuming: Local: Broker transport failure \(ERR__TRANSPORT\)$/);
  assert.ok(e.retriable);
});

void test('authorisation codes are read by name: never retriable', () => {
  const denied = Object.assign(new Error('Broker: Topic authorization failed'), { code: RD.ERR_TOPIC_AUTHORIZATION_FAILED });
  assert.ok(isAuthzError(denied));
  const e = brokerError(denied, ['k:9092'], 'producing to t');
  assert.equal(e.code, 'BROKER_AUTHZ');
  assert.equal(e.retriable, false);
  assert.match(e.message, /\(ERR_TOPIC_AUTHORIZATION_FAILED\)/);
});
