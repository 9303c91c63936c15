// The sensors example (examples/sensors) against a real MQTT broker (aedes, started here on a free port): readings
// published over MQTT reach the example's own z-score operator through mqtt@1, the spikes come back out as
// anomalies over MQTT through its own sink, a malformed payload is dead-lettered with the reason while the flow
// goes on, and an unreachable broker is one line per distinct failure, retried, with a clean stop.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { repoRoot } from '../helpers/paths.js';
import { ownSensorsProject, publishSpike, watchAnomalies } from '../helpers/own-project.js';
import { until } from '../helpers/deploy.js';

const cli = fileURLToPath(new URL('../../pipelines/cli/main.js', import.meta.url));
const example = join(repoRoot, 'examples', 'sensors', 'topology.yaml');

let broker: Aedes;
let server: Server;
let url: string;
const subscribed = new Set<string>();

before(async () => {
  broker = await Aedes.createBroker();
  broker.on('subscribe', (subs) => subs.forEach((s) => subscribed.add(s.topic)));
  server = createServer(broker.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(async () => {
  await new Promise<void>((r) => broker.close(() => r()));
  server.close();
});

interface Run {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
}

function startRun(env: NodeJS.ProcessEnv, topology = example): Run {
  const child = spawn(process.execPath, [cli, 'run', topology, '--no-dashboard'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stderr: () => err, stdout: () => out };
}

async function stop(run: Run): Promise<number | null> {
  if (run.child.exitCode !== null) return run.child.exitCode;
  // SIGTERM stops a run gracefully, as Ctrl-C does (which reaches the terminal's whole process group).
  run.child.kill('SIGTERM');
  const [code] = (await once(run.child, 'exit')) as [number | null];
  return code;
}

test('the sensors example: spikes come back as anomalies over MQTT, a malformed payload is dead-lettered and the flow goes on', { timeout: 120_000 }, async () => {
  const watcher: MqttClient = await mqtt.connectAsync(url);
  const anomalies: Array<{ topic: string; sensor: string; value: number; zscore: number }> = [];
  const dead: Array<{ topic: string; reason: string; payload: string }> = [];
  watcher.on('message', (topic, payload) => {
    const m = JSON.parse(payload.toString()) as Record<string, unknown>;
    if (topic.startsWith('alerts/')) anomalies.push({ topic, sensor: m['sensor'] as string, value: m['value'] as number, zscore: m['zscore'] as number });
    else dead.push({ topic, reason: m['reason'] as string, payload: m['payload'] as string });
  });
  await watcher.subscribeAsync(['alerts/#', 'tierflow/dead-letter/#'], { qos: 1 });
  const run = startRun({ SENSORS_MQTT: url });
  try {
    await until('the mqtt source to subscribe', async () => subscribed.has('sensors/hall/+'), 60_000, 100);
    const sensor = await mqtt.connectAsync(url);
    const publish = (s: string, payload: string) => sensor.publishAsync(`sensors/hall/${s}`, payload, { qos: 1 });
    // 20 ordinary readings per sensor (19.6 .. 20.4), then: t1 a malformed payload and a spike up, t2 a spike down,
    // and ordinary readings after each, which must not be anomalies.
    for (let i = 0; i < 20; i++) {
      await publish('t1', JSON.stringify({ value: 19.6 + (i % 5) * 0.2, ts: 1_700_000_000_000 + i * 1000 }));
      await publish('t2', JSON.stringify({ value: 20.4 - (i % 5) * 0.2 }));
    }
    await publish('t1', 'not json');
    await publish('t1', JSON.stringify({ value: '21' }));
    await publish('t1', JSON.stringify({ value: 35 }));
    await publish('t1', JSON.stringify({ value: 20 }));
    await publish('t2', JSON.stringify({ value: -5 }));
    await publish('t2', JSON.stringify({ value: 20.1 }));
    await sensor.endAsync();
    await until('two anomalies and two dead letters', async () => anomalies.length >= 2 && dead.length >= 2, 60_000, 100);
    // Nothing else was anomalous: give the flow a moment to show a wrong one.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(
      anomalies.map((a) => [a.topic, a.sensor, a.value]).sort(),
      [
        ['alerts/sensors/hall/t1', 'sensors/hall/t1', 35],
        ['alerts/sensors/hall/t2', 'sensors/hall/t2', -5],
      ],
    );
    assert.ok(anomalies.find((a) => a.value === 35)!.zscore > 4, JSON.stringify(anomalies));
    assert.ok(anomalies.find((a) => a.value === -5)!.zscore < -4, JSON.stringify(anomalies));
    assert.deepEqual(
      dead.map((d) => [d.topic, d.payload, d.reason]),
      [
        ['tierflow/dead-letter/sensors/hall/t1', 'not json', 'not JSON: "not json"'],
        ['tierflow/dead-letter/sensors/hall/t1', '{"value":"21"}', '"value" is missing or not a finite number'],
      ],
    );
  } finally {
    assert.equal(await stop(run), 0, run.stderr());
    await watcher.endAsync();
  }
  assert.match(run.stdout(), /summary: .*2 events/, run.stdout());
});

test('an unreachable MQTT broker: one line for the failure while it is retried, and the run stops cleanly', { timeout: 60_000 }, async () => {
  const closed = createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const port = (closed.address() as { port: number }).port;
  closed.close();
  await once(closed, 'close');
  const run = startRun({ SENSORS_MQTT: `mqtt://127.0.0.1:${port}` });
  try {
    // reconnectMs is 1000: after 4.5 s there were several attempts, and one line says so.
    await until('the source to report the broker unreachable', async () => /source hall: mqtt:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED.*\(retrying every 1000 ms\)/.test(run.stderr()), 30_000, 100);
    await new Promise((r) => setTimeout(r, 4500));
    // One line each for the two clients, the source and the anomalies' sink, however often they retried.
    assert.equal(run.stderr().match(/source hall: .*ECONNREFUSED/g)?.length, 1, run.stderr());
    assert.equal(run.stderr().match(/^alerts: mqtt:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED.*\(retrying\)$/gm)?.length, 1, run.stderr());
    assert.equal(run.stderr().match(/ECONNREFUSED/g)?.length, 2, run.stderr());
    assert.equal(run.child.exitCode, null, 'the run keeps going while the broker is away');
  } finally {
    assert.equal(await stop(run), 0, run.stderr());
  }
});

test("the same flow from a user's project outside this repository, with no tierflow installed there", { timeout: 120_000 }, async () => {
  const own = ownSensorsProject('own-sensors');
  const anomalies = await watchAnomalies(url);
  subscribed.clear();
  const run = startRun({ SENSORS_MQTT: url }, own.file);
  try {
    await until('the mqtt source to subscribe', async () => subscribed.has('sensors/hall/+'), 60_000, 100);
    await publishSpike(url, 't3');
    await until('the spike as an anomaly', async () => anomalies.values.length > 0, 60_000, 100);
    assert.deepEqual(anomalies.values, [35]);
  } finally {
    assert.equal(await stop(run), 0, run.stderr());
    await anomalies.end();
    rmSync(own.dir, { recursive: true, force: true });
  }
});
