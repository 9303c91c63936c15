import { runConformance } from '../../pipelines/backbone/conformance.js';
import { createEmbeddedBackbone } from '../../pipelines/backbone/embedded/index.js';

runConformance('embedded', (opts) => Promise.resolve(createEmbeddedBackbone({ partitionBound: opts?.partitionBound })));
