import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Type } from '@sinclair/typebox';
import { defineOperator } from '../../pipelines/operator.js';
import { CLUSTER_ENTRY_SCHEMA } from './matcher.js';
import { GALLERY_TABLE } from '../vision/gallery-table.js';
import { EMBEDDINGS, MATCHES } from '../streams/index.js';

export const MatchConfig = Type.Object(
  {
    gallery: Type.Optional(Type.String({ description: 'Gallery file written by `tierflow enroll --gallery` (relative to the topology file): for one machine' })),
    liveGallery: Type.Boolean({
      default: false,
      description:
        'Follow the live gallery instead of a file: the compacted topic `tierflow.<topology>.gallery` in the central cluster, mirrored to every site ' +
        'match runs in, written by `tierflow enroll --live` (and `--remove`); changes are matched within about a second of reaching the site',
    }),
    threshold: Type.Number({
      minimum: 0,
      maximum: 2,
      default: 0.5,
      description:
        'Largest Euclidean distance (between L2-normalised embeddings) that counts as a match. LFW training folds choose about 0.43 for ' +
        'pairs of photos; video frames sit a little further from enrolment photos (the Hamilton clip\'s pianist at 0.43), hence 0.5',
    }),
    clusterUnknown: Type.Boolean({ default: true, description: 'Give repeatedly seen unknown faces a stable cluster id' }),
  },
  { additionalProperties: false },
);

export default defineOperator({
  name: 'match',
  version: 1,
  summary: 'Nearest enrolled identity for every embedding, or unknown (with a cluster id).',
  config: MatchConfig,
  input: EMBEDDINGS,
  output: MATCHES,
  tiers: ['device', 'edge', 'fog', 'cloud'],
  resources: { cpu: 0.1, memoryMB: 64, arch: ['amd64', 'arm64'] },
  bytesPerRecord: 400,
  state: { schema: CLUSTER_ENTRY_SCHEMA, version: 1 },
  table: { topic: GALLERY_TABLE, when: (config) => config.liveGallery },
  configChecks: [
    {
      rule: 'exactly one of gallery (a file) and liveGallery: true',
      check: (c) =>
        c.liveGallery && c.gallery !== undefined
          ? { key: 'gallery', message: 'give either a gallery file or liveGallery: true, not both' }
          : !c.liveGallery && c.gallery === undefined
            ? { key: 'gallery', message: 'match needs a gallery file (gallery: gallery.json) or liveGallery: true' }
            : null,
    },
  ],
  prepareDemo: async (config, demo) => {
    if (config.gallery === undefined) return;
    const gallery = resolve(demo.topologyDir, config.gallery);
    if (existsSync(gallery)) return;
    demo.say(`demo: enrolling the people in the demo photos into ${gallery} ...`);
    const { enrollDemoGallery } = await import('../vision/demo-gallery.js');
    const g = await enrollDemoGallery(demo.sources, gallery, demo.topologyDir);
    demo.say(`demo: ${g.identities.length} identities enrolled`);
  },
  create: async (config, ctx) => (await import('./create.js')).createMatch(config, ctx),
});
