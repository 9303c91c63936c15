// stdout: prints each sighting event as a line of text or of JSON. Writes wait for the stream to drain,
// so a slow terminal or pipe slows the flow instead of growing a buffer.
import type { Static } from '@sinclair/typebox';
import type { Writable } from 'node:stream';
import type { OperatorContext, SinkInstance } from '../../pipelines/operator.js';
import type { SightingEvent } from '../streams/records.js';
import { formatSightingJson, formatSightingText } from './format.js';
import type { StdoutConfig } from './index.js';

export function createStdoutSink(config: Static<typeof StdoutConfig>, out: Writable): SinkInstance<SightingEvent> {
  const format = config.format === 'json' ? formatSightingJson : (e: SightingEvent) => formatSightingText(e);
  return {
    kind: 'sink',
    async write(batch) {
      if (batch.length === 0) return;
      const text = batch.map((e) => format(e) + '\n').join('');
      if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
    },
  };
}

export async function createStdout(config: Static<typeof StdoutConfig>, _ctx: OperatorContext): Promise<SinkInstance<SightingEvent>> {
  return createStdoutSink(config, process.stdout);
}
