// Placeholder until the implementation lands (vision and runtime issues); replaced by the real createDetect.
import type { Static } from '@sinclair/typebox';
import type { OperatorContext, OperatorInstance } from '../../pipelines/operator.js';
import { TierflowError } from '../../pipelines/errors.js';
import type { DetectConfig } from './index.js';

export async function createDetect(_config: Static<typeof DetectConfig>, _ctx: OperatorContext): Promise<OperatorInstance<never, never>> {
  throw new TierflowError('INTERNAL', 'detect is not implemented yet');
}
