import { Type } from '@sinclair/typebox';
import { defineOperator } from '../../pipelines/operator.js';
import { EMBEDDINGS, FACES } from '../streams/index.js';

export const EmbedConfig = Type.Object(
  {
    maxBatch: Type.Integer({ minimum: 1, maximum: 128, default: 4, description: 'Faces per inference batch (larger batches grow onnxruntime\'s arena)' }),
    precise: Type.Boolean({
      default: false,
      description: 'Treat each face as a still image: landmarks averaged over six passes and the mean descriptor of four chips (about 4x the cost per face: 32 vs 7.3 ms on one thread); one pass and one chip suit video',
    }),
  },
  { additionalProperties: false },
);

export default defineOperator({
  name: 'embed',
  version: 1,
  summary: 'Landmarks, aligned crop and a 128-d L2-normalised embedding for every face.',
  config: EmbedConfig,
  input: FACES,
  output: EMBEDDINGS,
  tiers: ['device', 'edge', 'fog', 'cloud'],
  resources: { cpu: 1, memoryMB: 192, arch: ['amd64', 'arm64'] },
  bytesPerRecord: 1_600,
  create: async (config, ctx) => (await import('./create.js')).createEmbed(config, ctx),
});
