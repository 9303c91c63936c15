import { Type } from '@sinclair/typebox';
import { defineOperator } from '../../pipelines/operator.js';

export const AggregateConfig = Type.Object(
  {
    window: Type.Union([Type.Literal('tumbling'), Type.Literal('sliding')], { default: 'tumbling', description: 'Window kind' }),
    sizeMs: Type.Integer({ minimum: 100, default: 5000, description: 'Window length, ms of capture time' }),
    slideMs: Type.Integer({ minimum: 100, default: 1000, description: 'Sliding windows: how far each window advances' }),
    minFrames: Type.Integer({ minimum: 1, default: 1, description: 'Sightings with fewer frames are not reported' }),
    includeUnknown: Type.Boolean({ default: false, description: 'Report unknown faces (by cluster id) as well' }),
  },
  { additionalProperties: false },
);

export default defineOperator({
  name: 'aggregate',
  version: 1,
  summary: 'Windows matches per camera and identity; repeated sightings become one event with counts.',
  config: AggregateConfig,
  input: 'matches',
  output: 'events',
  tiers: ['device', 'edge', 'fog', 'cloud'],
  resources: { cpu: 0.1, memoryMB: 64, arch: ['amd64', 'arm64'] },
  bytesPerRecord: 60,
  create: async (config, ctx) => (await import('./create.js')).createAggregate(config, ctx),
});
