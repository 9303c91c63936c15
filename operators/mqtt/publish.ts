// An MQTT sink for any stream: mqttPublisher({ name, input }) is an operator definition that publishes each record
// as JSON on <prefix>/<the record's key> (Home Assistant and Node-RED listen there). The built-in mqtt-events@1 is
// one for sighting events; a flow of a user's own makes one for its own stream (examples/sensors).
import { Type, type Static } from '@sinclair/typebox';
import { defineOperator, type OperatorDefinition, type SinkInstance } from '../../pipelines/operator.js';
import type { AnyStream, RecordOf } from '../../pipelines/streams/stream.js';
import { resolveEnvRefs } from '../../pipelines/backbone/index.js';
import { parseMqttUrl } from './payload.js';

export const MqttPublishConfig = Type.Object(
  {
    url: Type.String({ pattern: '^(mqtts?://|\\$\\{env:)', description: 'mqtt://HOST[:PORT]/TOPIC-PREFIX: records go to <prefix>/<record key>; ${env:NAME} may stand for any part' }),
    qos: Type.Union([Type.Literal(0), Type.Literal(1)], { default: 1, description: 'MQTT quality of service: 1 waits for the broker to acknowledge each record' }),
    retain: Type.Boolean({ default: false, description: 'Publish retained, so a subscriber that arrives later gets the last record per key' }),
  },
  { additionalProperties: false },
);

type Config = typeof MqttPublishConfig;

export function mqttPublisher<S extends AnyStream>(opts: { name: string; version?: number; summary?: string; input: S }): OperatorDefinition<Config, S, null> {
  return defineOperator({
    name: opts.name,
    version: opts.version ?? 1,
    summary: opts.summary ?? `Publishes ${opts.input.name} records as JSON to an MQTT broker, on <prefix>/<key>.`,
    config: MqttPublishConfig,
    input: opts.input,
    output: null,
    tiers: ['device', 'edge', 'fog', 'cloud'],
    resources: { cpu: 0.05, memoryMB: 32, arch: ['amd64', 'arm64'] },
    bytesPerRecord: 0,
    create: async (config, ctx) => createPublisher(config, opts.input, ctx.operatorId, ctx.log) as never,
  });
}

async function createPublisher<S extends AnyStream>(config: Static<Config>, stream: S, id: string, log: (m: string) => void): Promise<SinkInstance<RecordOf<S>>> {
  const { broker, filter: prefix } = parseMqttUrl(resolveEnvRefs(config.url, process.env, `${id} url`));
  let lastError = '';
  // Imported here, not at the top: every operator thread imports every built-in operator module (registry.ts), and
  // mqtt costs each isolate that loads it ~10 MB that a flow without an MQTT sink never uses (as mqtt@1's create.ts).
  const { default: mqtt } = await import('mqtt');
  const client = mqtt.connect(broker, { clientId: `tierflow-${id}-${Date.now().toString(36)}`, reconnectPeriod: 1000 });
  client.on('error', (e) => {
    if (e.message !== lastError) log(`${broker}: ${e.message} (retrying)`);
    lastError = e.message;
  });
  return {
    kind: 'sink',
    // Written in order and acknowledged (qos 1) before the batch counts as written, so its offsets commit after.
    write: async (batch) => {
      for (const r of batch) await client.publishAsync(`${prefix}/${stream.key(r)}`, JSON.stringify(r), { qos: config.qos, retain: config.retain });
    },
    // Forced: every write was acknowledged before it returned, so nothing is in flight; a broker that is away
    // must not hold the stop.
    close: async () => {
      await client.endAsync(true);
    },
  };
}
