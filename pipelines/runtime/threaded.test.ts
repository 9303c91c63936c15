import '../../test/helpers/operators.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { createThreadedTransform } from './threaded.js';
import aggregate, { AggregateConfig } from '../../operators/aggregate/index.js';
import type { OperatorContext, TransformInstance } from '../operator.js';
import type { MatchesRecord, SightingEvent } from '../../operators/streams/records.js';
import { operatorContext } from '../../test/helpers/operator-context.js';

const ctx: OperatorContext = operatorContext({ operatorId: 'aggregate' });

const matches: MatchesRecord[] = Array.from({ length: 6 }, (_, seq) => ({
  camera: 'cam-1',
  epoch: 'e0',
  seq,
  captureTs: 1_000 + seq * 200,
  faces: [{ index: 0, box: [1, 2, 30, 30], score: 0.9, identity: seq < 4 ? 'ada' : 'bob', distance: 0.3, clusterId: null, track: 0, carried: false }],
}));

async function drive(op: TransformInstance<MatchesRecord, SightingEvent>): Promise<SightingEvent[]> {
  const out: SightingEvent[] = [];
  await op.process(matches, (e) => out.push(e));
  await op.flush!((e) => out.push(e), 10_000, true);
  await op.close?.();
  return out;
}

test('an operator in a worker thread emits exactly what it emits in-process', async () => {
  const config = Value.Default(AggregateConfig, { sizeMs: 1000 });
  const inProcess = await drive((await aggregate.create(config as never, ctx)) as TransformInstance<MatchesRecord, SightingEvent>);
  const threaded = await drive((await createThreadedTransform('aggregate@1', config, ctx)) as TransformInstance<MatchesRecord, SightingEvent>);
  assert.ok(inProcess.length > 0);
  assert.deepEqual(threaded, inProcess);
});

test('a failing create in the thread rejects with the operator error, not a crash', async () => {
  await assert.rejects(createThreadedTransform('match@1', { gallery: '/nonexistent/gallery.json', threshold: 0.5, clusterUnknown: true }, ctx), (e: Error) => {
    assert.match(e.message, /gallery/i);
    return true;
  });
});
