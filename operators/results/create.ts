// The results sink publishes events on the topology's results topic through the runtime's producer, so any
// Kafka consumer can read them; a write resolves only once the broker has acknowledged every event.
import type { Static } from '@sinclair/typebox';
import type { OperatorContext, SinkInstance } from '../../pipelines/operator.js';
import type { SightingEvent } from '../streams/records.js';
import { TierflowError } from '../../pipelines/errors.js';
import type { ResultsConfig } from './index.js';

export async function createResults(_config: Static<typeof ResultsConfig>, ctx: OperatorContext): Promise<SinkInstance<SightingEvent>> {
  const publish = ctx.publish;
  if (!publish) throw new TierflowError('INTERNAL', `${ctx.operatorId}: the plan gave the results sink no topic`);
  return { kind: 'sink', write: (batch) => publish(batch) };
}
