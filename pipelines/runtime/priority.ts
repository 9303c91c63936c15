// Priorities under overload, inside one worker: the chains of a node share its cores, and when flows of different
// priority run there, a wave of frames takes a turn before it is worked on (from its freshness gate to its
// acknowledged outputs). A wave runs at once unless a wave of higher priority is running or waiting; then it waits
// until none is. Waves of one priority never wait for each other (a chain keeps its own pipelining). So a
// low-priority flow is worked on in the high one's gaps only: its frames wait, age, and are dropped by the
// freshness gate (counted per operator, shown by `status`), and the high flow keeps the cores and its latency.
// There is no pre-emption: a low wave already running finishes. With one priority on the node there are no turns
// at all (nothing changes for a worker whose flows are alike).
import { PRIORITIES, type Priority } from '../topology/schema.js';

const RANK: Record<Priority, number> = Object.fromEntries(PRIORITIES.map((p, i) => [p, i])) as Record<Priority, number>;

export class PriorityTurns {
  private readonly running: number[] = PRIORITIES.map(() => 0);
  /** Waiters per priority rank. */
  private readonly waiting: Array<Array<() => void>> = PRIORITIES.map(() => []);

  /** Waits for a turn; call the returned function once the work is done (more calls do nothing). */
  async take(priority: Priority): Promise<() => void> {
    const rank = RANK[priority];
    if (this.busyAbove(rank)) await new Promise<void>((resolve) => this.waiting[rank]!.push(resolve));
    else this.running[rank]!++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running[rank]!--;
      this.wake();
    };
  }

  private busyAbove(rank: number): boolean {
    for (let r = rank + 1; r < PRIORITIES.length; r++) if (this.running[r]! > 0 || this.waiting[r]!.length > 0) return true;
    return false;
  }

  /** From the top: the first priority with work running holds every lower one back; the first with waiters goes. */
  private wake(): void {
    for (let r = PRIORITIES.length - 1; r >= 0; r--) {
      if (this.running[r]! > 0) return;
      const ready = this.waiting[r]!.splice(0);
      if (ready.length === 0) continue;
      this.running[r]! += ready.length;
      for (const go of ready) go();
      return;
    }
  }

  /** Waves waiting for a turn, by priority (for status). */
  waitingBy(): Record<Priority, number> {
    return Object.fromEntries(PRIORITIES.map((p) => [p, this.waiting[RANK[p]]!.length])) as Record<Priority, number>;
  }
}

/** Turns for a worker's chains when their priorities differ; none when they are all alike. */
export function turnsFor(priorities: readonly Priority[]): PriorityTurns | undefined {
  return new Set(priorities).size > 1 ? new PriorityTurns() : undefined;
}
