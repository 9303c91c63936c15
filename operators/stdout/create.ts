// Placeholder until the implementation lands (vision and runtime issues); replaced by the real createStdout.
import type { Static } from '@sinclair/typebox';
import type { OperatorContext, OperatorInstance } from '../../pipelines/operator.js';
import { TierflowError } from '../../pipelines/errors.js';
import type { StdoutConfig } from './index.js';

export async function createStdout(_config: Static<typeof StdoutConfig>, _ctx: OperatorContext): Promise<OperatorInstance<never, never>> {
  throw new TierflowError('INTERNAL', 'stdout is not implemented yet');
}
