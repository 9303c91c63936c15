// Placeholder until the implementation lands (vision and runtime issues); replaced by the real createAggregate.
import type { Static } from '@sinclair/typebox';
import type { OperatorContext, OperatorInstance } from '../../pipelines/operator.js';
import { TierflowError } from '../../pipelines/errors.js';
import type { AggregateConfig } from './index.js';

export async function createAggregate(_config: Static<typeof AggregateConfig>, _ctx: OperatorContext): Promise<OperatorInstance<never, never>> {
  throw new TierflowError('INTERNAL', 'aggregate is not implemented yet');
}
