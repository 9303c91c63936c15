// A clip topology compiled and run in this process to the end of its sources, as `tierflow run --json` does:
// what the in-process pipeline tests share.
import './operators.js';
import { compileTopology } from '../../pipelines/cli/compile.js';
import { runPlan, type RunSummary } from '../../pipelines/runtime/run.js';
import { avroRecordCodec } from '../../pipelines/runtime/codec.js';
import { openBackbone } from '../../pipelines/backbone/open.js';
import type { SightingEvent } from '../../operators/streams/records.js';

/** Runs the topology in `file` with its data in `dir`; the sighting events it printed, and its summary. */
export async function runClip(file: string, dir: string, log: (line: string) => void = () => {}): Promise<{ events: SightingEvent[]; summary: RunSummary }> {
  const { plan } = await compileTopology(file);
  const lines: string[] = [];
  const summary = await runPlan(plan, {
    json: true,
    untilSourcesEnd: true,
    dataDir: dir,
    out: (l) => lines.push(l),
    log,
    openBackbone,
    codec: avroRecordCodec(),
    signal: new AbortController().signal,
  });
  return { events: lines.map((l) => JSON.parse(l) as SightingEvent), summary };
}
