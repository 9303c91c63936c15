// One operator of a chain as a stage of its wave pipeline: frames pass the freshness gate first; a stateful operator
// works inside its partition's store and hands its changes to the wave; what it emits is counted, shown, and
// produced to its topic (acknowledged before the wave moves on).
import type { AnyOperatorDefinition, OperatorInstance } from '../operator.js';
import type { Captured } from '../streams/stream.js';
import type { FreshnessGate } from './freshness.js';
import type { WorkerMetrics } from './metrics.js';
import type { ChainState } from './state/chain-state.js';
import type { Wave } from './waves.js';

export interface StageEnv {
  id: string;
  def: AnyOperatorDefinition;
  inst: OperatorInstance;
  /** The chain's first operator reads the wave's entry; the others their upstream's output. */
  isHead: boolean;
  upstream: string | undefined;
  topic: string | undefined;
  metrics: WorkerMetrics;
  gate: FreshnessGate;
  state: ChainState;
  onSinkRecords?: (operator: string, records: unknown[]) => void;
  onOutput?: (operator: string, stream: string, records: unknown[]) => void;
  produce: (topic: string, records: unknown[]) => Promise<void>;
  /** A turn among the worker's chains of other priorities, taken before frames pass the gate (runtime/priority.ts). */
  turn?: () => Promise<() => void>;
}

const isCaptured = (r: unknown): r is Captured => typeof r === 'object' && r !== null && 'captureTs' in r && 'seq' in r;

export function operatorStage(e: StageEnv): (wave: Wave) => Promise<Wave> {
  const { id, def, inst, metrics, gate, state } = e;
  return async (wave) => {
    let input = e.isHead ? wave.entry : (wave.outputs.get(e.upstream ?? '') ?? []);
    if (def.input?.perishable && input.length > 0 && wave.gatedAt === undefined) {
      // Frames that waited for their turn are judged by their age after the wait.
      if (e.turn && !wave.release) wave.release = await e.turn();
      const { fresh, stale } = gate.admit(input as Captured[], Date.now());
      for (const f of stale) metrics.droppedFrame(id, f.camera);
      input = fresh;
      if (fresh.length > 0) wave.gatedAt = performance.now();
    }
    const out: unknown[] = [];
    const stateful = state.has(id);
    if (input.length > 0) {
      if (stateful) state.enter(id, wave.partition ?? 0);
      metrics.received(id, input.length);
      const t0 = performance.now();
      if (inst.kind === 'transform') await inst.process(input, (r) => out.push(r));
      else if (inst.kind === 'sink') {
        await inst.write(input);
        e.onSinkRecords?.(id, input);
      }
      metrics.processed(id, performance.now() - t0, input.length);
    }
    if (wave.flush && inst.kind === 'transform' && inst.flush) {
      // A stateful operator flushes the state of every partition it holds, one partition at a time.
      for (const p of stateful ? state.partitions() : [null]) {
        if (p !== null) state.enter(id, p);
        await inst.flush((r) => out.push(r), wave.flush.now, wave.flush.final);
      }
    }
    if (stateful) {
      state.leave(id);
      (wave.changes ??= []).push(...state.take(id));
    }
    wave.outputs.set(id, out);
    if (inst.kind === 'sink' || out.length === 0) return wave;
    metrics.emitted(id, out.length);
    if (def.output !== null) e.onOutput?.(id, def.output.name, out);
    const now = Date.now();
    for (const r of out) if (isCaptured(r)) metrics.endToEnd(id, now - r.captureTs);
    if (e.topic) await e.produce(e.topic, out);
    return wave;
  };
}
