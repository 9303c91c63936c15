// `tierflow run`: every node's chains in this one process, on the embedded backbone unless told otherwise,
// sink records shown as they arrive, and a summary at the end.
import type { Plan } from '../plan/types.js';
import type { BackboneSpec } from '../topology/schema.js';
import type { Backbone } from '../backbone/contract.js';
import { registry } from '../registry.js';
import { TierflowError } from '../errors.js';
import { plannedTopicSpecs } from './provision.js';
import { Worker } from './worker.js';
import { percentile } from './metrics.js';
import type { RecordCodec } from './codec.js';
import { summaryOperator, sourceOperators } from './summary.js';
import { peakRssMB } from './peak-rss.js';

export interface RunOptions {
  /** Overrides the topology's backbone. */
  backbone?: BackboneSpec;
  json: boolean;
  untilSourcesEnd: boolean;
  dataDir: string;
  out: (line: string) => void;
  log: (line: string) => void;
  openBackbone: (spec: BackboneSpec) => Promise<Backbone>;
  codec: RecordCodec;
  /** Every operator's output by stream, for the dashboard. */
  onOutput?: (operator: string, stream: string, records: unknown[]) => void;
  /** Called once the worker has started, with it (the dashboard reads its metrics and sources). */
  onStarted?: (worker: Worker) => void;
  /** Aborting stops the run gracefully (drain, commit) — wired to SIGINT/SIGTERM by the CLI. */
  signal: AbortSignal;
}

export interface RunSummary {
  type: 'summary';
  frames: number;
  fps: number;
  e2eLatencyMs: { p50: number; p99: number };
  dropped: number;
  events: number;
  identities: Record<string, string[]>;
  /** From the first frame to the end of draining: what fps is measured over. */
  seconds: number;
  /** Peak resident memory of this process (VmHWM; see peak-rss.ts). */
  rssMB: number;
  /** CPU time of this process, all its threads (onnxruntime's, libvips'), user + system, ms; not its children (ffmpeg). */
  cpuMs: number;
  /** Where the time went, per operator: records in, dropped, and wall time in its process calls (ms). */
  operators: Array<{ operator: string; recordsIn: number; dropped: number; busyMs: number }>;
}

export function lookupOperator(uses: string) {
  const def = registry().find(uses);
  if (!def) throw new TierflowError('BAD_ARGUMENT', `unknown operator ${uses}`);
  return def;
}

export async function runPlan(plan: Plan, opts: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const configs = structuredClone(plan.configs);
  const sinkOps = plan.placements.filter((p) => lookupOperator(p.uses).output === null);
  const printers = sinkOps.filter((p) => lookupOperator(p.uses).jsonLines !== undefined);
  if (opts.json) for (const p of printers) configs[p.operator] = { ...configs[p.operator], ...lookupOperator(p.uses).jsonLines };
  // With --json every event is printed once: by the stdout sinks, or if there are none, here from the first sink.
  const tapOperator = opts.json && printers.length === 0 ? sinkOps[0]?.operator : undefined;
  const identities = new Map<string, Set<string>>();
  const summarise = sinkOps[0] ? lookupOperator(sinkOps[0].uses).input?.summary : undefined;
  let events = 0;

  const backbone = await opts.openBackbone(opts.backbone ?? plan.backbone);
  const worker = new Worker({
    plan: { ...plan, configs },
    nodes: [...new Set(plan.chains.map((c) => c.node))],
    backbone,
    codec: opts.codec,
    operators: lookupOperator,
    dataDir: opts.dataDir,
    log: opts.log,
    onOutput: opts.onOutput,
    // The state benchmark's baseline: the same run with stateful operators' changelogs off (state in memory only).
    changelogs: process.env['TIERFLOW_STATE_CHANGELOGS'] !== 'off',
    onSinkRecords: (operator, records) => {
      if (operator !== (sinkOps[0]?.operator ?? '')) return;
      events += records.length;
      for (const r of summarise ? records : []) {
        const { source, label } = summarise!(r);
        if (!identities.has(source)) identities.set(source, new Set());
        identities.get(source)!.add(label);
      }
      if (operator === tapOperator) for (const r of records) opts.out(JSON.stringify(r));
    },
  });
  let stopFlush = () => {};
  let ended = Date.now();
  try {
    await backbone.provision(plannedTopicSpecs(plan));
    await worker.start();
    opts.onStarted?.(worker);
    stopFlush = worker.startFlushTimer();
    const stopped = new Promise<void>((resolve) => opts.signal.addEventListener('abort', () => resolve(), { once: true }));
    if (opts.untilSourcesEnd) await Promise.race([worker.sourcesEnded(), stopped]);
    else await stopped;
    stopFlush();
    // A stop is graceful: sources first, then what they emitted drains and is committed.
    if (opts.signal.aborted) await worker.stopSources();
    await worker.drain();
    await worker.flushAll(true);
    ended = Date.now();
  } finally {
    stopFlush();
    await worker.stop().catch((e: unknown) => opts.log(`stop: ${String(e)}`));
    await backbone.close().catch((e: unknown) => opts.log(`backbone close: ${String(e)}`));
  }
  const failure = worker.failure();
  if (failure) throw failure;

  const seconds = (ended - (worker.metrics.firstActivityMs ?? started)) / 1000;
  const snapshot = worker.metrics.snapshot();
  const sources = sourceOperators(plan);
  const frames = snapshot.filter((s) => sources.includes(s.operator)).reduce((n, s) => n + s.recordsOut, 0);
  const samples = worker.metrics.latencySamples(summaryOperator(plan, lookupOperator) ?? '');
  return {
    type: 'summary',
    frames,
    fps: Math.round((frames / Math.max(seconds, 0.001)) * 100) / 100,
    e2eLatencyMs: { p50: Math.round(percentile(samples, 50)), p99: Math.round(percentile(samples, 99)) },
    dropped: snapshot.reduce((n, s) => n + s.dropped, 0),
    events,
    identities: Object.fromEntries([...identities].map(([cam, ids]) => [cam, [...ids].sort()])),
    seconds: Math.round(seconds * 10) / 10,
    rssMB: peakRssMB(),
    cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
    operators: snapshot.map(({ operator, recordsIn, dropped, busyMs }) => ({ operator, recordsIn, dropped, busyMs })),
  };
}
