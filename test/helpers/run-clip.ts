// A clip topology compiled and run in this process to the end of its sources, as `tierflow run --json` does:
// what the in-process pipeline tests share.
import './operators.js';
import { compileTopology } from '../../pipelines/cli/compile.js';
import { runPlan, type RunSummary } from '../../pipelines/runtime/run.js';
import { avroRecordCodec, type RecordCodec } from '../../pipelines/runtime/codec.js';
import type { Plan } from '../../pipelines/plan/types.js';
import { openBackbone } from '../../pipelines/backbone/open.js';
import type { SightingEvent } from '../../operators/streams/records.js';

/** Runs the topology in `file` with its data in `dir` (records encoded by `codecFor(plan)`, default tierflow's
 *  Avro); the sighting events it printed, its summary and its plan. */
export async function runClip(
  file: string,
  dir: string,
  log: (line: string) => void = () => {},
  codecFor: (plan: Plan) => Promise<RecordCodec> = async () => avroRecordCodec(),
): Promise<{ events: SightingEvent[]; summary: RunSummary; plan: Plan }> {
  const { plan } = await compileTopology(file);
  const lines: string[] = [];
  const summary = await runPlan(plan, {
    json: true,
    untilSourcesEnd: true,
    dataDir: dir,
    out: (l) => lines.push(l),
    log,
    openBackbone,
    codec: await codecFor(plan),
    signal: new AbortController().signal,
  });
  return { events: lines.map((l) => JSON.parse(l) as SightingEvent), summary, plan };
}
