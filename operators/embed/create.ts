// Placeholder until the implementation lands (vision and runtime issues); replaced by the real createEmbed.
import type { Static } from '@sinclair/typebox';
import type { OperatorContext, OperatorInstance } from '../../pipelines/operator.js';
import { TierflowError } from '../../pipelines/errors.js';
import type { EmbedConfig } from './index.js';

export async function createEmbed(_config: Static<typeof EmbedConfig>, _ctx: OperatorContext): Promise<OperatorInstance<never, never>> {
  throw new TierflowError('INTERNAL', 'embed is not implemented yet');
}
