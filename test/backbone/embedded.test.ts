import { runConformance } from '../../pipelines/backbone/conformance.js';
import { createEmbeddedBackbone } from '../../pipelines/backbone/embedded/index.js';

runConformance('embedded', (opts) => Promise.resolve(createEmbeddedBackbone({ partitionBound: opts?.partitionBound })), {
  'resume-after-rebalance':
    'the embedded group rebalances incrementally: a member keeps its partitions through a rebalance, with no revocation and new assignment to resume on (and its revocations wait for the work in flight, so a migration needs no hold there)',
});
