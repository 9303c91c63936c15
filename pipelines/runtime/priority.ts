// Priorities under overload, inside one worker: the chains of a node share its cores, and when flows of different
// priority run there, a wave of frames takes a turn before it is worked on (from its freshness gate to its
// acknowledged outputs). Turns go to the highest priority waiting, first come first served within one, and there
// are as many as the machine has cores. A low-priority wave therefore starts only when no higher one is waiting;
// its frames wait instead, age, and are dropped by the freshness gate (counted per operator, shown by `status`):
// the low flow absorbs the overload while the high one keeps its latency. With one priority on the node there
// are no turns at all (nothing changes for a worker whose flows are alike).
import { availableParallelism } from 'node:os';
import { PRIORITIES, type Priority } from '../topology/schema.js';

const RANK: Record<Priority, number> = Object.fromEntries(PRIORITIES.map((p, i) => [p, i])) as Record<Priority, number>;

export class PriorityTurns {
  private running = 0;
  /** Waiters per priority rank, oldest first. */
  private readonly waiting: Array<Array<() => void>> = PRIORITIES.map(() => []);

  constructor(private readonly slots = availableParallelism()) {}

  /** Waits for a turn; call the returned function once the work is done (exactly once). */
  async take(priority: Priority): Promise<() => void> {
    const rank = RANK[priority];
    if (this.running < this.slots && !this.waiting.slice(rank).some((q) => q.length > 0)) this.running++;
    else await new Promise<void>((resolve) => this.waiting[rank]!.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.handOn();
    };
  }

  /** A turn ends: the slot goes to the highest priority waiting, or is freed. */
  private handOn(): void {
    for (let rank = this.waiting.length - 1; rank >= 0; rank--) {
      const next = this.waiting[rank]!.shift();
      if (next) return next();
    }
    this.running--;
  }

  /** Waves waiting for a turn, by priority (for status). */
  waitingBy(): Record<Priority, number> {
    return Object.fromEntries(PRIORITIES.map((p) => [p, this.waiting[RANK[p]]!.length])) as Record<Priority, number>;
  }
}

/** Turns for a worker's chains when their priorities differ; none when they are all alike. */
export function turnsFor(priorities: readonly Priority[], slots?: number): PriorityTurns | undefined {
  return new Set(priorities).size > 1 ? new PriorityTurns(slots) : undefined;
}
