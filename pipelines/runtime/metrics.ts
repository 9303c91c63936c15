// Per-operator metrics of one worker, in Prometheus form (served on /metrics) and as a snapshot for status
// displays and the run summary.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
const RATE_WINDOW_MS = 5000;
const MAX_SAMPLES = 200_000;

export interface OperatorSnapshot {
  operator: string;
  recordsIn: number;
  recordsOut: number;
  fps: number;
  dropped: number;
  /** Wall time spent in the operator's process/write calls, ms (overlapping other operators' where stages run side by side). */
  busyMs: number;
}

export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly recordsIn: Counter<'operator'>;
  private readonly recordsOut: Counter<'operator'>;
  private readonly processing: Histogram<'operator'>;
  private readonly e2e: Histogram<'operator'>;
  private readonly dropped: Counter<'operator' | 'camera'>;
  readonly lag: Gauge<'chain' | 'topic' | 'partition'>;
  readonly sourceUp: Gauge<'source' | 'state'>;
  private readonly counts = new Map<string, { in: number; out: number; dropped: number; busyMs: number; arrivals: number[]; departures: number[] }>();
  /** When the first record reached an operator: throughput is measured from here, not from process start. */
  firstActivityMs: number | null = null;
  /** End-to-end latency samples (ms) by operator, for exact percentiles in the run summary. */
  private readonly e2eSamples = new Map<string, number[]>();

  constructor(labels: Record<string, string> = {}) {
    this.registry.setDefaultLabels(labels);
    const r = [this.registry];
    this.recordsIn = new Counter({ name: 'tierflow_records_in_total', help: 'Records an operator received', labelNames: ['operator'], registers: r });
    this.recordsOut = new Counter({ name: 'tierflow_records_out_total', help: 'Records an operator emitted', labelNames: ['operator'], registers: r });
    this.processing = new Histogram({
      name: 'tierflow_processing_seconds',
      help: 'Processing time per record (batch time / batch size)',
      labelNames: ['operator'],
      buckets: LATENCY_BUCKETS,
      registers: r,
    });
    this.e2e = new Histogram({
      name: 'tierflow_e2e_latency_seconds',
      help: 'Time from capture to an operator emitting the record',
      labelNames: ['operator'],
      buckets: LATENCY_BUCKETS,
      registers: r,
    });
    this.dropped = new Counter({ name: 'tierflow_dropped_frames_total', help: 'Frames dropped to stay fresh', labelNames: ['operator', 'camera'], registers: r });
    this.lag = new Gauge({ name: 'tierflow_consumer_lag', help: 'Records behind the end of a partition', labelNames: ['chain', 'topic', 'partition'], registers: r });
    this.sourceUp = new Gauge({ name: 'tierflow_source_state', help: '1 for the current state of each source', labelNames: ['source', 'state'], registers: r });
    const snapshot = () => this.snapshot();
    new Gauge({
      name: 'tierflow_operator_fps',
      help: `Records per second an operator received over the last ${RATE_WINDOW_MS / 1000} s`,
      labelNames: ['operator'],
      registers: r,
      collect() {
        for (const s of snapshot()) this.set({ operator: s.operator }, s.fps);
      },
    });
  }

  private entry(operator: string) {
    let e = this.counts.get(operator);
    if (!e) this.counts.set(operator, (e = { in: 0, out: 0, dropped: 0, busyMs: 0, arrivals: [], departures: [] }));
    return e;
  }

  received(operator: string, n: number, now = Date.now()): void {
    this.firstActivityMs ??= now;
    const e = this.entry(operator);
    e.in += n;
    for (let i = 0; i < n; i++) e.arrivals.push(now);
    while (e.arrivals.length > 0 && e.arrivals[0]! < now - RATE_WINDOW_MS) e.arrivals.shift();
    this.recordsIn.inc({ operator }, n);
  }

  emitted(operator: string, n: number, now = Date.now()): void {
    this.firstActivityMs ??= now;
    const e = this.entry(operator);
    e.out += n;
    for (let i = 0; i < n; i++) e.departures.push(now);
    while (e.departures.length > 0 && e.departures[0]! < now - RATE_WINDOW_MS) e.departures.shift();
    this.recordsOut.inc({ operator }, n);
  }

  processed(operator: string, batchMs: number, n: number): void {
    this.entry(operator).busyMs += batchMs;
    if (n > 0) this.processing.observe({ operator }, batchMs / 1000 / n);
  }

  endToEnd(operator: string, latencyMs: number): void {
    this.e2e.observe({ operator }, latencyMs / 1000);
    let s = this.e2eSamples.get(operator);
    if (!s) this.e2eSamples.set(operator, (s = []));
    if (s.length < MAX_SAMPLES) s.push(latencyMs);
  }

  droppedFrame(operator: string, camera: string): void {
    this.entry(operator).dropped++;
    this.dropped.inc({ operator, camera });
  }

  latencySamples(operator: string): number[] {
    return this.e2eSamples.get(operator) ?? [];
  }

  snapshot(now = Date.now()): OperatorSnapshot[] {
    return [...this.counts].map(([operator, e]) => {
      // A source has no input: its rate is what it emits (the frames a camera delivers).
      const recent = (e.in > 0 ? e.arrivals : e.departures).filter((t) => t >= now - RATE_WINDOW_MS).length;
      return { operator, recordsIn: e.in, recordsOut: e.out, fps: recent / (RATE_WINDOW_MS / 1000), dropped: e.dropped, busyMs: Math.round(e.busyMs) };
    });
  }
}

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
