import { Type } from '@sinclair/typebox';
import { defineOperator } from '../../pipelines/operator.js';
import { EVENTS } from '../streams/index.js';

export const ResultsConfig = Type.Object({}, { additionalProperties: false });

export default defineOperator({
  name: 'results',
  version: 1,
  summary: "Publishes events on the topology's results topic (`<topology>.results`), readable by any Kafka consumer.",
  config: ResultsConfig,
  input: EVENTS,
  publishes: { topic: 'results' },
  output: null,
  tiers: ['device', 'edge', 'fog', 'cloud'],
  resources: { cpu: 0.05, memoryMB: 32, arch: ['amd64', 'arm64'] },
  bytesPerRecord: 0,
  create: async (config, ctx) => (await import('./create.js')).createResults(config, ctx),
});
