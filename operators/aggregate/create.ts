// The aggregate operator: config into window options; the windows core does the work, in the engine's state store
// (ctx.state: per input partition, changelog-backed), so open windows survive a restart or a rebalance.
import type { Static } from '@sinclair/typebox';
import type { OperatorContext, TransformInstance } from '../../pipelines/operator.js';
import type { MatchesRecord, SightingEvent } from '../streams/records.js';
import { TierflowError } from '../../pipelines/errors.js';
import { createWindows, type WindowStore } from './windows.js';
import type { AggregateConfig } from './index.js';

export async function createAggregate(config: Static<typeof AggregateConfig>, ctx: OperatorContext): Promise<TransformInstance<MatchesRecord, SightingEvent>> {
  if (!ctx.state) throw new TierflowError('INTERNAL', `${ctx.operatorId}: the engine gave aggregate no state store`);
  const windows = createWindows({
    kind: config.window,
    sizeMs: config.sizeMs,
    slideMs: config.slideMs,
    minFrames: config.minFrames,
    includeUnknown: config.includeUnknown,
    perTrack: config.perTrack,
    idleMs: config.idleMs,
  }, ctx.state as WindowStore);
  return {
    kind: 'transform',
    async process(batch, emit) {
      const arrival = ctx.now?.() ?? Date.now();
      for (const record of batch) for (const event of windows.add(record, arrival)) emit(event);
    },
    async flush(emit, now, final) {
      for (const event of windows.flush(now, final)) emit(event);
    },
  };
}
