// Placeholder until the implementation lands (vision and runtime issues); replaced by the real createMatch.
import type { Static } from '@sinclair/typebox';
import type { OperatorContext, OperatorInstance } from '../../pipelines/operator.js';
import { TierflowError } from '../../pipelines/errors.js';
import type { MatchConfig } from './index.js';

export async function createMatch(_config: Static<typeof MatchConfig>, _ctx: OperatorContext): Promise<OperatorInstance<never, never>> {
  throw new TierflowError('INTERNAL', 'match is not implemented yet');
}
