import { Type } from '@sinclair/typebox';
import { defineOperator } from '../../pipelines/operator.js';
import { EVENTS } from '../streams/index.js';

export const StdoutConfig = Type.Object(
  { format: Type.Union([Type.Literal('text'), Type.Literal('json')], { default: 'text', description: 'One line per event' }) },
  { additionalProperties: false },
);

export default defineOperator({
  name: 'stdout',
  version: 1,
  summary: 'Prints events on standard output.',
  config: StdoutConfig,
  input: EVENTS,
  output: null,
  tiers: ['device', 'edge', 'fog', 'cloud'],
  resources: { cpu: 0.05, memoryMB: 16, arch: ['amd64', 'arm64'] },
  bytesPerRecord: 0,
  jsonLines: { format: 'json' },
  create: async (config, ctx) => (await import('./create.js')).createStdout(config, ctx),
});
