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
    tracking: Type.Object(
      {
        enabled: Type.Boolean({
          default: false,
          description:
            'Track faces across frames: a face is embedded and matched when its track starts and then only when due, its identity carried along the track in between (off by default for now: a replay after a restart can label a frame differently, see docs)',
        }),
        interval: Type.Integer({ minimum: 1, maximum: 30, default: 1, description: 'Detect every this many frames while every face in view is tracked; the tracks predict the boxes between (re-detecting at once when a track is lost)' }),
        motion: Type.Boolean({ default: true, description: 'Skip detection in frames where nothing moved (grey 64-px thumbnails compared) while no face is tracked' }),
        reembedEvery: Type.Integer({ minimum: 1, default: 30, description: 'Frames between embeddings of a track whose identity is known' }),
        unknownRetryEvery: Type.Integer({ minimum: 1, default: 5, description: 'Frames between embeddings of a track not (yet) matched to anyone' }),
        maxAge: Type.Integer({ minimum: 1, default: 15, description: 'Frames a track lives on without a detection (occlusion, a missed detection)' }),
        iouThreshold: Type.Number({ minimum: 0.01, maximum: 1, default: 0.3, description: "Least overlap between a track's predicted box and a detection for the detection to continue the track" }),
        growthToReembed: Type.Number({ minimum: 1, default: 1.5, description: 'A track is embedded again at once when its box grows to this multiple of the area last embedded (the face came closer)' }),
      },
      { additionalProperties: false, default: {}, description: 'Face tracking, the detection interval and still scenes (what detect and embed skip)' },
    ),
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
  configChecks: [
    {
      rule: 'tracking: unknownRetryEvery <= reembedEvery',
      check: (c) =>
        c.tracking.unknownRetryEvery > c.tracking.reembedEvery
          ? { key: 'tracking.unknownRetryEvery', message: `an unknown face (every ${c.tracking.unknownRetryEvery} frames) would be retried less often than a known one is re-embedded (every ${c.tracking.reembedEvery})` }
          : null,
    },
    {
      rule: 'tracking: interval <= maxAge',
      check: (c) =>
        c.tracking.enabled && c.tracking.interval > c.tracking.maxAge
          ? { key: 'tracking.interval', message: `detecting every ${c.tracking.interval} frames, every track would end (after maxAge ${c.tracking.maxAge} frames unseen) before the next detection` }
          : null,
    },
    {
      rule: 'tracking: interval > 1 needs enabled',
      check: (c) => (!c.tracking.enabled && c.tracking.interval > 1 ? { key: 'tracking.interval', message: 'a detection interval needs tracking (enabled: true): without tracks nothing predicts the faces between detections' } : null),
    },
  ],
  explain: (c) => {
    const t = c.tracking;
    if (!t.enabled) return 'every frame detected, every face embedded and matched (tracking off)';
    const interval = t.interval > 1 ? `detects one frame in ${t.interval} while its tracks hold (at once when one is lost or the shot changes)` : 'detects every frame';
    const still = t.motion ? ', skips frames where nothing moved while nobody is in view' : '';
    return `tracks faces: ${interval}${still}; embeds a face when its track starts, then every ${t.reembedEvery} frames if known, every ${t.unknownRetryEvery} if not, and carries its identity between`;
  },
  create: async (config, ctx) => (await import('./create.js')).createDetect(config, ctx),
});
