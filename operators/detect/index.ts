import { Type } from '@sinclair/typebox';
import { defineOperator } from '../../pipelines/operator.js';
import { FACES, FRAMES } from '../streams/index.js';

export const DetectConfig = Type.Object(
  {
    model: Type.Union([Type.Literal('tiny'), Type.Literal('ssd')], { default: 'tiny', description: 'Tiny face detector or SSD MobileNetV1' }),
    inputSize: Type.Integer({ minimum: 128, maximum: 1024, multipleOf: 32, default: 416, description: 'Detector input size (tiny), pixels' }),
    scoreThreshold: Type.Number({ minimum: 0, maximum: 1, default: 0.5, description: 'Minimum detection score' }),
    iouThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: "Non-maximum suppression IoU; face-api's own when unset (0.4 tiny, 0.5 SSD)" })),
    minFaceSize: Type.Integer({ minimum: 1, default: 24, description: 'Smallest face kept, pixels' }),
    maxBatch: Type.Integer({ minimum: 1, maximum: 64, default: 1, description: 'Frames per inference batch (on CPU, batching frames measured no faster and holds more memory)' }),
    threads: Type.Integer({ minimum: 1, maximum: 64, default: 1, description: 'onnxruntime intra-op threads' }),
    resize: Type.Union([Type.Literal('fast'), Type.Literal('exact')], {
      default: 'fast',
      description: "Detector input resize: 'fast' (libvips bilinear) or 'exact' (face-api's own, bit for bit, slower)",
    }),
  },
  { additionalProperties: false },
);

export default defineOperator({
  name: 'detect',
  version: 1,
  summary: 'Finds faces in frames (tiny detector or SSD, NMS) and emits JPEG crops of 1.5x squares around them.',
  config: DetectConfig,
  input: FRAMES,
  output: FACES,
  tiers: ['device', 'edge', 'fog', 'cloud'],
  resources: { cpu: 1, memoryMB: 192, arch: ['amd64', 'arm64'] },
  bytesPerRecord: 12_000,
  create: async (config, ctx) => (await import('./create.js')).createDetect(config, ctx),
});
