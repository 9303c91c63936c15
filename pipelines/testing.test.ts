import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { defineOperator } from './operator.js';
import { defineStream } from './streams/stream.js';
import { testFlow, testOperator } from './testing.js';

const NUMBERS = defineStream<{ n: number }>({ name: 'numbers', dataClass: 'event', versions: [{ type: 'record', name: 'N', fields: [{ name: 'n', type: 'int' }] }], key: () => 'k', id: (r) => String(r.n) });
const transform = (name: string, f: (n: number) => unknown, flush?: number) =>
  defineOperator({
    name, version: 1, summary: name, config: Type.Object({ by: Type.Integer({ default: 1 }) }, { additionalProperties: false }),
    input: NUMBERS, output: NUMBERS, tiers: ['edge'], resources: { cpu: 0.1, memoryMB: 16, arch: ['amd64'] }, bytesPerRecord: 4,
    create: async (c) => ({
      kind: 'transform' as const,
      process: async (batch: Array<{ n: number }>, emit: (r: { n: number }) => void) => batch.forEach((r) => emit({ n: f(r.n * c.by) as number })),
      flush: async (emit: (r: { n: number }) => void, _now: number, final: boolean) => (final && flush !== undefined ? emit({ n: flush }) : undefined),
    }),
  });

test('records go through each stage in order, in batches, and a final flush closes what is open', async () => {
  const r = await testFlow([{ operator: transform('double', (n) => n * 2, 100) }, { operator: transform('inc', (n) => n + 1), config: { by: 10 } }], [{ n: 1 }, { n: 2 }, { n: 3 }], { batchSize: 2 });
  assert.deepEqual(r.stages[0], [{ n: 2 }, { n: 4 }, { n: 6 }, { n: 100 }]);
  assert.deepEqual(r.output, [{ n: 21 }, { n: 41 }, { n: 61 }, { n: 1001 }]);
});

test('a record that does not fit its stream schema fails here, as it would on a broker', async () => {
  await assert.rejects(testOperator(transform('bad', () => 'seven'), [{ n: 1 }]), /a numbers record does not fit its schema/);
});

test('a config the schema refuses is one message naming the operator, as validate names it', async () => {
  await assert.rejects(testOperator(transform('double', (n) => n), [], { config: { by: 'two' } }), /double@1: .*by/);
});
