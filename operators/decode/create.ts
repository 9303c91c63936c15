// Placeholder until the implementation lands (vision and runtime issues); replaced by the real createDecode.
import type { Static } from '@sinclair/typebox';
import type { OperatorContext, OperatorInstance } from '../../pipelines/operator.js';
import { TierflowError } from '../../pipelines/errors.js';
import type { DecodeConfig } from './index.js';

export async function createDecode(_config: Static<typeof DecodeConfig>, _ctx: OperatorContext): Promise<OperatorInstance<never, never>> {
  throw new TierflowError('INTERNAL', 'decode is not implemented yet');
}
