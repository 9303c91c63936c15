import { Type } from '@sinclair/typebox';
import { defineOperator } from '../../pipelines/operator.js';
import { WINDOW_ENTRY_SCHEMA, WINDOW_ENTRY_SCHEMA_V1 } from './windows.js';
import { EVENTS, MATCHES } from '../streams/index.js';

export const AggregateConfig = Type.Object(
  {
    window: Type.Union([Type.Literal('tumbling'), Type.Literal('sliding')], { default: 'tumbling', description: 'Window kind' }),
    sizeMs: Type.Integer({ minimum: 100, default: 5000, description: 'Window length, ms of capture time' }),
    slideMs: Type.Integer({ minimum: 100, default: 1000, description: 'Sliding windows: how far each window advances' }),
    minFrames: Type.Integer({ minimum: 1, default: 1, description: 'Sightings with fewer frames are not reported' }),
    includeUnknown: Type.Boolean({ default: false, description: 'Report unknown faces (by cluster id) as well' }),
    perTrack: Type.Boolean({
      default: false,
      description:
        "One sighting per face track and window (needs detect's tracking): a person who leaves and comes back, or two people given the same name, are separate sightings, each event carrying its track. Untracked faces are counted per identity",
    }),
    idleMs: Type.Integer({
      minimum: 0,
      default: 15000,
      description:
        "A camera without records for this long counts as quiet, and its windows then close by the wall clock; shorter silences are records still in the pipeline, which would otherwise arrive late and be dropped. Keep it above an upstream worker's restart time (~7 s measured), or a restart closes windows early. Time without a broker does not count",
    }),
  },
  { additionalProperties: false },
);

export default defineOperator({
  name: 'aggregate',
  version: 1,
  summary: 'Windows matches per camera and identity (or face track); repeated sightings become one event with counts.',
  config: AggregateConfig,
  configChecks: [
    {
      // A slide longer than the window leaves gaps no window covers: their records would be dropped unseen.
      rule: 'sliding windows: slideMs <= sizeMs',
      check: (c) =>
        c.window === 'sliding' && c.slideMs > c.sizeMs
          ? { key: 'slideMs', message: `slideMs ${c.slideMs} is longer than sizeMs ${c.sizeMs}: records between windows would be dropped` }
          : null,
    },
  ],
  input: MATCHES,
  output: EVENTS,
  tiers: ['device', 'edge', 'fog', 'cloud'],
  resources: { cpu: 0.1, memoryMB: 64, arch: ['amd64', 'arm64'] },
  // An event as the backbone writes it: ~80 B of Avro, its key and ~200 B of headers (schema, traceparent, capture
  // time, identity), measured by encoding one of the clip's events.
  bytesPerRecord: 280,
  // One sighting per camera and window, as if one person were in view: a window's frames become one event each
  // identity seen, and most frames of a camera show one person or none.
  estimateRate: (c, input) => Math.min(input.recordsPerSecond, (input.sources * 1000) / (c.window === 'sliding' ? c.slideMs : c.sizeMs)),
  state: { schema: WINDOW_ENTRY_SCHEMA, version: 2, previous: [WINDOW_ENTRY_SCHEMA_V1] },
  create: async (config, ctx) => (await import('./create.js')).createAggregate(config, ctx),
});
