import { Type } from '@sinclair/typebox';
import { defineOperator } from '../../pipelines/operator.js';
import { FRAMES } from '../streams/index.js';
import { frameBytes, SCENES } from './frame-bytes.js';
import { demoImages, isImagePath } from '../media/media-input.js';

export const DecodeConfig = Type.Object(
  {
    jpegQuality: Type.Integer({ minimum: 10, maximum: 100, default: 85, description: 'JPEG quality of emitted frames' }),
    scene: Type.Union(
      SCENES.map((s) => Type.Literal(s)),
      {
        default: 'medium',
        description:
          "How much detail the cameras see, for the planner's frame size estimate (JPEG bits per pixel at quality 85: low 0.34, " +
          'e.g. a dim indoor stage; medium 0.65; high 1.0, e.g. foliage, crowds, detailed photos). It changes no frame',
      },
    ),
    reconnect: Type.Object(
      {
        initialMs: Type.Integer({ minimum: 10, default: 500, description: 'First reconnect delay' }),
        maxMs: Type.Integer({ minimum: 10, default: 10000, description: 'Largest reconnect delay (exponential backoff)' }),
        maxAttempts: Type.Integer({ minimum: 0, default: 0, description: 'Give up after this many failed attempts in a row; 0 retries forever' }),
      },
      { default: {}, additionalProperties: false },
    ),
    connectTimeoutMs: Type.Integer({
      minimum: 100,
      default: 5000,
      description: 'How long an rtsp camera may take to deliver its first frame, and the longest silence before it counts as dropped',
    }),
    panSpeed: Type.Number({ minimum: 0, default: 60, description: 'demo: and image sources: pixels per second the virtual camera pans' }),
    durationSec: Type.Number({
      minimum: 0,
      default: 0,
      description:
        'Stop each source after this many seconds of frames (durationSec x fps frames, across reconnects); 0 = until it ends. ' +
        'demo: and image sources never end by themselves, so 0 leaves it to the runtime (signal or close)',
    }),
    realtime: Type.Boolean({
      default: false,
      description: 'file: videos are read at their native rate (ffmpeg -re) instead of as fast as downstream takes frames',
    }),
    fileClock: Type.Union([Type.Literal('arrival'), Type.Literal('media')], {
      default: 'arrival',
      description:
        "captureTs of file: frames: 'arrival' = wall clock when the frame was decoded (latency figures stay meaningful); " +
        "'media' = start time + the frame's offset in the video (windows follow the video's own timeline)",
    }),
  },
  { additionalProperties: false },
);

export default defineOperator({
  name: 'decode',
  version: 1,
  summary:
    'Ingests rtsp://, file: and demo: sources through ffmpeg, samples to the source fps, scales (letterboxed) to the source ' +
    'resolution and emits JPEG frames; reconnects cameras with exponential backoff and reports per-source state.',
  config: DecodeConfig,
  input: null,
  output: FRAMES,
  sourceSchemes: ['rtsp', 'rtsps', 'file', 'demo'],
  sourceProblem: (url) => {
    const name = url.startsWith('demo:') ? url.slice('demo:'.length) : undefined;
    if (name === undefined || name.startsWith('/')) return undefined;
    const demo = demoImages();
    return demo.includes(name) ? undefined : `no demo image '${name}': use one of ${demo.join(', ')}, or an absolute path`;
  },
  recorded: (url, config) => url.startsWith('file:') && !isImagePath(url) && !config.realtime,
  tiers: ['device', 'edge', 'fog', 'cloud'],
  resources: { cpu: 0.25, memoryMB: 96, arch: ['amd64', 'arm64'] },
  bytesPerRecord: frameBytes('640x360', 85, 'medium'),
  estimateBytes: (config, source) => frameBytes(source?.resolution ?? '640x360', config.jpegQuality, config.scene),
  create: async (config, ctx) => (await import('./create.js')).createDecode(config, ctx),
});
