// The example's operator tested as a user would test theirs: in-process with tierflow's harness, no broker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testOperator, testFlow, type Reading } from 'tierflow';
import zscore from './index.js';
import anomaliesMqtt from '../anomalies-mqtt/index.js';
import type { Anomaly } from './stream.js';

const reading = (sensor: string, seq: number, value: number): Reading => ({ source: 'hall', sensor, value, ts: 1_700_000_000_000 + seq * 1000, epoch: 'e1', seq });
const steady = (sensor: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => reading(sensor, from + i, 20 + ((i % 5) - 2) * 0.1));

test('a spike after ten steady readings is an anomaly; the steady ones and the sensor next to it are not', async () => {
  const input = [...steady('t1', 12), ...steady('t2', 12, 100), reading('t1', 12, 30), reading('t1', 13, 20)];
  const { output } = await testOperator<Anomaly>(zscore, input, { batchSize: 5 });
  assert.deepEqual(output.map((a) => [a.sensor, a.value, a.reading]), [['t1', 30, 'hall/e1/12']]);
  assert.ok(output[0]!.zscore > 4);
});

test('the spike stays out of the window, so the next spike is found too', async () => {
  const { output } = await testOperator<Anomaly>(zscore, [...steady('t1', 12), reading('t1', 12, 30), reading('t1', 13, 31)]);
  assert.deepEqual(output.map((a) => a.value), [30, 31]);
});

test('fewer than minSamples readings judge nothing, and minSamples over window is refused as validate refuses it', async () => {
  assert.deepEqual((await testOperator(zscore, [...steady('t1', 3), reading('t1', 3, 90)], { config: { minSamples: 5 } })).output, []);
  await assert.rejects(testOperator(zscore, [], { config: { window: 5, minSamples: 8 } }), /temperature-zscore@1: config\.minSamples: minSamples 8 exceeds window 5/);
});

test('the flow up to its sink: the anomaly stream is what anomalies-mqtt reads', async () => {
  // The sink is not created here: an MQTT broker is what test/sensors/mqtt.test.ts runs against. The stages agree.
  assert.equal(zscore.output, anomaliesMqtt.input);
  const { stages } = await testFlow([{ operator: zscore }], [...steady('t1', 10), reading('t1', 10, -10)]);
  assert.equal(stages[0]!.length, 1);
});
