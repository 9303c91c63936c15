import { Type } from '@sinclair/typebox';
import { defineOperator } from '../../pipelines/operator.js';
import { READINGS } from './stream.js';

export const MqttSourceConfig = Type.Object(
  {
    qos: Type.Union([Type.Literal(0), Type.Literal(1)], { default: 1, description: 'MQTT quality of service of the subscription' }),
    deadLetterTopic: Type.String({
      default: 'tierflow/dead-letter',
      description: 'A message that is not a reading is republished on <deadLetterTopic>/<its topic> as JSON {reason, source, topic, payload}',
    }),
    reconnectMs: Type.Integer({ minimum: 100, default: 1000, description: 'Delay between attempts to reach the broker' }),
    connectTimeoutMs: Type.Integer({ minimum: 100, default: 5000, description: 'How long one connection attempt may take' }),
  },
  { additionalProperties: false },
);

export default defineOperator({
  name: 'mqtt',
  version: 1,
  summary: 'Sensor readings from an MQTT broker: each source is mqtt://HOST[:PORT]/TOPIC-FILTER; a payload is a number or {value, ts?, sensor?}.',
  config: MqttSourceConfig,
  input: null,
  output: READINGS,
  sourceSchemes: ['mqtt', 'mqtts'],
  tiers: ['device', 'edge', 'fog', 'cloud'],
  resources: { cpu: 0.05, memoryMB: 32, arch: ['amd64', 'arm64'] },
  bytesPerRecord: 80,
  create: async (config, ctx) => (await import('./create.js')).createMqttSource(config, ctx),
});
