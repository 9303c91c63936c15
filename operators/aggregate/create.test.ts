import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import definition, { AggregateConfig } from './index.js';
import type { TransformInstance } from '../../pipelines/operator.js';
import type { MatchesRecord, SightingEvent } from '../streams/records.js';
import { operatorContext } from '../../test/helpers/operator-context.js';
import { testOperator } from '../../pipelines/testing.js';


void test('in the test harness (as a flow uses it), it turns matches into sighting events, and a stop closes the last window', async () => {
  const rec = (seq: number, ts: number): MatchesRecord => ({ camera: 'c', epoch: 'e0', seq, captureTs: ts, faces: [{ index: 0, box: [1, 2, 3, 4], score: 0.9, identity: 'ada', distance: 0.3, clusterId: null, track: 0, carried: false }] });
  const { output, stages } = await testOperator<SightingEvent>(definition, [rec(0, 10), rec(1, 20), rec(2, 1010)], { config: { sizeMs: 1000 } });
  assert.deepEqual(output.map((e) => [e.identity, e.frames, e.window]), [['ada', 2, 'tumbling 1000ms'], ['ada', 1, 'tumbling 1000ms']]);
  assert.equal(stages.length, 1);
  await assert.rejects(testOperator(definition, [], { config: { window: 'sliding', sizeMs: 1000, slideMs: 2000 } }), /aggregate@1: config\.slideMs: .*slideMs <= sizeMs/);
});

void test("arrivals are taken on the chain's clock, so time it stood still (no broker) is no silence", async () => {
  const clock = 1_000_000;
  const op = (await definition.create(Value.Default(AggregateConfig, { sizeMs: 1000, idleMs: 5000 }) as never, { ...operatorContext({ operatorId: 'agg' }), now: () => clock })) as TransformInstance<MatchesRecord, SightingEvent>;
  const out: SightingEvent[] = [];
  const rec = (seq: number, ts: number): MatchesRecord => ({ camera: 'c', epoch: 'e0', seq, captureTs: ts, faces: [{ index: 0, box: [1, 2, 3, 4], score: 0.9, identity: 'ada', distance: 0.3, clusterId: null, track: 0, carried: false }] });
  await op.process([rec(0, 10)], (e) => out.push(e));
  // The wall clock ran on for a minute while the chain's clock stood (an outage): 1 s of the chain's time is no quiet camera.
  await op.flush!((e) => out.push(e), clock + 1_000, false);
  assert.equal(out.length, 0, 'the window stays open');
  await op.process([rec(1, 500)], (e) => out.push(e));
  await op.flush!((e) => out.push(e), clock + 6_000, false);
  assert.deepEqual(out.map((e) => e.frames), [2], 'quiet for longer than idleMs on the chain clock: closed, with the late-arriving frame in it');
});
