// The aggregate operator: config into window options; the windows core does the work.
import type { Static } from '@sinclair/typebox';
import type { OperatorContext, TransformInstance } from '../../pipelines/operator.js';
import type { MatchesRecord, SightingEvent } from '../../pipelines/streams/records.js';
import { createWindows } from './windows.js';
import type { AggregateConfig } from './index.js';

export async function createAggregate(config: Static<typeof AggregateConfig>, _ctx: OperatorContext): Promise<TransformInstance<MatchesRecord, SightingEvent>> {
  const windows = createWindows({
    kind: config.window,
    sizeMs: config.sizeMs,
    slideMs: config.slideMs,
    minFrames: config.minFrames,
    includeUnknown: config.includeUnknown,
  });
  return {
    kind: 'transform',
    async process(batch, emit) {
      for (const record of batch) for (const event of windows.add(record)) emit(event);
    },
    async flush(emit, now, final) {
      for (const event of windows.flush(now, final)) emit(event);
    },
  };
}
