import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTraceparent, parseTraceparent, childTraceparent, traceHeaders, captureTsOf } from './trace.js';

test('traceparent: make, parse, child keeps the trace id and gets a new span', () => {
  const tp = makeTraceparent();
  const ctx = parseTraceparent(tp);
  assert.ok(ctx);
  assert.match(tp, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  const child = parseTraceparent(childTraceparent(tp));
  assert.equal(child?.traceId, ctx.traceId);
  assert.notEqual(child?.spanId, ctx.spanId);
});

test('traceparent: invalid values are rejected', () => {
  assert.equal(parseTraceparent('00-00000000000000000000000000000000-0000000000000001-01'), null);
  assert.equal(parseTraceparent('00-abc-def-01'), null);
  assert.equal(parseTraceparent(undefined), null);
  assert.deepEqual(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00'), {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: false,
  });
});

test('capture timestamp header round-trips', () => {
  const h = traceHeaders(1_763_800_000_123);
  assert.equal(captureTsOf(h), 1_763_800_000_123);
  assert.equal(captureTsOf({}), null);
});
