import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Type } from '@sinclair/typebox';
import { defineOperator } from '../../pipelines/operator.js';
import { CLUSTER_ENTRY_SCHEMA } from './matcher.js';
import { EMBEDDINGS, MATCHES } from '../streams/index.js';

export const MatchConfig = Type.Object(
  {
    gallery: Type.String({ description: 'Gallery file written by `tierflow enroll` (relative to the topology file)' }),
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
  prepareDemo: async (config, demo) => {
    const gallery = resolve(demo.topologyDir, config.gallery);
    if (existsSync(gallery)) return;
    demo.say(`demo: enrolling the people in the demo photos into ${gallery} ...`);
    const { enrollDemoGallery } = await import('../../pipelines/vision/demo-gallery.js');
    const g = await enrollDemoGallery(demo.sources, gallery, demo.topologyDir);
    demo.say(`demo: ${g.identities.length} identities enrolled`);
  },
  create: async (config, ctx) => (await import('./create.js')).createMatch(config, ctx),
});
