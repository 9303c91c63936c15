// A user's project outside this repository, with no tierflow installed in it: a package.json saying its .js files
// are ES modules, the sensors example's own operators as built JavaScript, and the example's topology (optionally on
// Kafka). What `uses: ./operators/…` and `import … from 'tierflow'` meet on a user's machine.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { repoRoot } from './paths.js';
import { tempDir } from './deploy.js';

export function ownSensorsProject(name: string, brokers?: string): { dir: string; file: string } {
  const dir = tempDir('tierflow-own-project-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-sensors', private: true, type: 'module' }));
  cpSync(join(repoRoot, 'dist', 'examples', 'sensors', 'operators'), join(dir, 'operators'), { recursive: true, filter: (src) => !/\.test\.js$|\.map$/.test(src) });
  let text = readFileSync(join(repoRoot, 'examples', 'sensors', 'topology.yaml'), 'utf8').replace(/^name: sensors$/m, `name: ${name}`).replace(/^# yaml-language-server.*\n/, '');
  if (brokers) text = text.replace(/^backbone:\n {2}type: embedded$/m, `backbone: { type: kafka, brokers: [${brokers}] }`);
  const file = join(dir, 'topology.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

/** Watches `alerts/#` on the MQTT broker at `url`: the values of the anomalies as they arrive. */
export async function watchAnomalies(url: string): Promise<{ values: number[]; end: () => Promise<void> }> {
  const watcher = await mqtt.connectAsync(url);
  const values: number[] = [];
  watcher.on('message', (_topic, payload) => values.push((JSON.parse(payload.toString()) as { value: number }).value));
  await watcher.subscribeAsync('alerts/#', { qos: 1 });
  return { values, end: () => watcher.endAsync() };
}

/** 20 ordinary readings of one sensor (19.6 .. 20.4), then a spike of 35: the one anomaly the example's z-score finds. */
export async function publishSpike(url: string, sensor: string): Promise<void> {
  const client = await mqtt.connectAsync(url);
  for (let i = 0; i < 20; i++) await client.publishAsync(`sensors/hall/${sensor}`, JSON.stringify({ value: 19.6 + (i % 5) * 0.2 }), { qos: 1 });
  await client.publishAsync(`sensors/hall/${sensor}`, JSON.stringify({ value: 35 }), { qos: 1 });
  await client.endAsync();
}
