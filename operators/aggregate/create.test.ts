import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import definition, { AggregateConfig } from './index.js';
import type { OperatorContext, TransformInstance } from '../../pipelines/operator.js';
import type { MatchesRecord, SightingEvent } from '../../pipelines/streams/records.js';
import { operatorContext } from '../../test/helpers/operator-context.js';

const ctx: OperatorContext = operatorContext({ operatorId: 'agg' });

void test('built through its definition with defaults, it turns matches into sighting events', async () => {
  const config = Value.Default(AggregateConfig, { sizeMs: 1000 }) as never;
  const op = (await definition.create(config, ctx)) as TransformInstance<MatchesRecord, SightingEvent>;
  const out: SightingEvent[] = [];
  const rec = (seq: number, ts: number): MatchesRecord => ({ camera: 'c', seq, captureTs: ts, faces: [{ index: 0, box: [1, 2, 3, 4], score: 0.9, identity: 'ada', distance: 0.3, clusterId: null }] });
  await op.process([rec(0, 10), rec(1, 20), rec(2, 1010)], (e) => out.push(e));
  assert.deepEqual(out.map((e) => [e.identity, e.frames, e.window]), [['ada', 2, 'tumbling 1000ms']]);
  await op.flush!((e) => out.push(e), Date.now(), true);
  assert.equal(out.length, 2);
});
