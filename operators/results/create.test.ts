import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import definition, { ResultsConfig } from './index.js';
import type { OperatorContext, SinkInstance } from '../../pipelines/operator.js';
import type { SightingEvent } from '../streams/records.js';
import { operatorContext } from '../../test/helpers/operator-context.js';

const ctx = (publish?: (r: unknown[]) => Promise<void>): OperatorContext => operatorContext({ operatorId: 'results', node: 'cloud-1', tier: 'cloud', publish });

const event: SightingEvent = {
  camera: 'cam-1',
  identity: 'alex',
  windowStart: 0,
  from: 1,
  to: 2,
  firstSeq: 0,
  lastSeq: 3,
  frames: 4,
  bestScore: 0.9,
  bestDistance: 0.3,
  window: 'tumbling 5000ms',
  track: 0,
};

test('the results sink hands every event to its topic and waits for the acknowledgement', async () => {
  const published: unknown[] = [];
  let acked = false;
  const sink = (await definition.create(Value.Default(ResultsConfig, {}) as never, ctx(async (r) => {
    await new Promise((res) => setTimeout(res, 5));
    published.push(...r);
    acked = true;
  }))) as SinkInstance<SightingEvent>;
  await sink.write([event, { ...event, camera: 'cam-2' }]);
  assert.equal(acked, true);
  assert.deepEqual(published.map((e) => (e as SightingEvent).camera), ['cam-1', 'cam-2']);
});

test('without a planned topic the sink refuses to start', async () => {
  await assert.rejects(definition.create({} as never, ctx()), /no topic/);
});
