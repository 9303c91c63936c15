// Placeholder until the implementation lands (vision and runtime issues); replaced by the real createResults.
import type { Static } from '@sinclair/typebox';
import type { OperatorContext, OperatorInstance } from '../../pipelines/operator.js';
import { TierflowError } from '../../pipelines/errors.js';
import type { ResultsConfig } from './index.js';

export async function createResults(_config: Static<typeof ResultsConfig>, _ctx: OperatorContext): Promise<OperatorInstance<never, never>> {
  throw new TierflowError('INTERNAL', 'results is not implemented yet');
}
