// Live video must stay fresh: when a stage falls behind, the oldest frames of a camera are dropped (and counted)
// so end-to-end latency stays under the camera's bound. Only frame records are ever dropped, never events.
import type { Priority } from '../topology/schema.js';
import type { Plan } from '../plan/types.js';
import type { AnyOperatorDefinition } from '../operator.js';
import type { Captured } from '../streams/stream.js';

/** Low-priority flows give up on frames sooner; high-priority ones wait longer before dropping. */
export const PRIORITY_BOUND_FACTOR: Record<Priority, number> = { low: 0.5, normal: 1, high: 1.5 };

export function latencyBoundMs(sourceMaxLatencyMs: number, priority: Priority): number {
  return Math.round(sourceMaxLatencyMs * PRIORITY_BOUND_FACTOR[priority]);
}

/**
 * Sources whose source operator says they are recordings read as fast as the pipeline takes them (decode@1: a video
 * file, not `realtime`): they are not live, so their frames wait instead of being dropped, at the source and at every
 * freshness gate.
 */
export function recordedSources(plan: Pick<Plan, 'sources' | 'placements' | 'configs'>, operators: (uses: string) => AnyOperatorDefinition): Set<string> {
  const recorded = new Set<string>();
  for (const p of plan.placements) {
    const isRecorded = p.sources ? operators(p.uses).recorded : undefined;
    if (!isRecorded) continue;
    for (const name of p.sources!) {
      const url = plan.sources.find((s) => s.name === name)?.url ?? '';
      if (isRecorded(url, plan.configs[p.operator] ?? {})) recorded.add(name);
    }
  }
  return recorded;
}

/**
 * The one place a chain drops stale frames: before its first frame stage. A frame is admitted only if its age plus
 * the time it may still need stays within the bound, so frames are dropped early, while dropping is cheap, instead
 * of being worked on and arriving late. That time is the slowest of the last waves from the gate to acknowledged
 * outputs (a mean would let the tail through), plus a fifth of the bound for delivery to the consumers downstream
 * (measured on a saturated 2-core machine: p99 ~0.6 s from produce to a results consumer), and never more than half
 * the bound, so a slow spell cannot close the gate entirely.
 */
export class FreshnessGate {
  static readonly DELIVERY_SHARE = 0.2;
  static readonly MIN_DELIVERY_MS = 100;
  private readonly recent: number[] = [];
  private next = 0;

  constructor(
    private readonly boundFor: (camera: string) => number,
    private readonly window = 64,
  ) {}

  admit<T extends Captured>(batch: T[], now: number): { fresh: T[]; stale: T[] } {
    return dropStale(batch, now, (camera) => {
      const bound = this.boundFor(camera);
      return bound - this.headroomMs(bound);
    });
  }

  /** How long a wave took from the gate to its acknowledged outputs. */
  observe(ms: number): void {
    this.recent[this.next] = ms;
    this.next = (this.next + 1) % this.window;
  }

  /** How much of a bound the gate keeps free for the work and the delivery after it. */
  headroomMs(bound: number): number {
    if (!Number.isFinite(bound)) return 0;
    const slowest = this.recent.reduce((a, b) => Math.max(a, b), 0);
    const delivery = Math.max(FreshnessGate.MIN_DELIVERY_MS, bound * FreshnessGate.DELIVERY_SHARE);
    return Math.min(bound / 2, slowest + delivery);
  }
}

/** Splits a batch into frames young enough to process and the stale ones to drop. */
export function dropStale<T extends Captured>(batch: T[], now: number, boundFor: (camera: string) => number): { fresh: T[]; stale: T[] } {
  const fresh: T[] = [];
  const stale: T[] = [];
  for (const r of batch) (now - r.captureTs > boundFor(r.camera) ? stale : fresh).push(r);
  return { fresh, stale };
}

/**
 * Frames waiting between a camera and the first stage: at most `perCamera` per camera, the oldest evicted first.
 * `take` hands out the oldest frames across cameras, round-robin, so one busy camera cannot starve the others.
 */
export class FreshFrameQueue<T extends Captured> {
  private readonly queues = new Map<string, T[]>();
  private waiter: (() => void) | null = null;
  private roomWaiters: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly perCamera: number,
    private readonly onDrop: (frame: T) => void,
  ) {}

  push(frame: T): void {
    let q = this.queues.get(frame.camera);
    if (!q) this.queues.set(frame.camera, (q = []));
    q.push(frame);
    while (q.length > this.perCamera) this.onDrop(q.shift()!);
    this.wake();
  }

  /** For recorded sources (files), which should not lose frames: waits for room instead of evicting. */
  async pushWhenRoom(frame: T): Promise<void> {
    while (!this.closed && (this.queues.get(frame.camera)?.length ?? 0) >= this.perCamera) {
      await new Promise<void>((r) => this.roomWaiters.push(r));
    }
    this.push(frame);
  }

  size(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** Up to `max` frames; waits while empty; returns [] once closed and drained. */
  async take(max: number): Promise<T[]> {
    while (this.size() === 0) {
      if (this.closed) return [];
      await new Promise<void>((r) => (this.waiter = r));
    }
    const out: T[] = [];
    while (out.length < max && this.size() > 0) {
      for (const q of this.queues.values()) {
        const f = q.shift();
        if (f) out.push(f);
        if (out.length >= max) break;
      }
    }
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    waiters.forEach((w) => w());
    return out;
  }

  close(): void {
    this.closed = true;
    this.wake();
    this.roomWaiters.forEach((w) => w());
    this.roomWaiters = [];
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
