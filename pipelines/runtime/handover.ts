// A replica held still while its consumer group changes members. When a migration adds a replica of a chain on
// another node (or takes one away) and this replica keeps running, the group rebalances under it: its partitions are
// revoked and dealt out again, and a commit made after the revocation is refused, so whatever it was processing then
// would be processed again by the partition's next owner. Held first, it stops fetching, lets what it has through,
// commits it, and only then does the supervisor let the group change; it fetches again once the rebalance has dealt
// it its partitions (or, if no rebalance comes, after `maxMs`).

export interface HoldTarget {
  /** Stop handing batches to the chain (the consumer keeps polling, so it stays in its group). */
  pause(): void;
  resume(): void;
  /** Settles once nothing is in flight and every checkpoint (outputs, changelogs, offsets) has run. */
  settle(): Promise<void>;
  log(message: string): void;
}

export class Handover {
  private held: { revoked: boolean; timer: NodeJS.Timeout } | null = null;

  constructor(private readonly target: HoldTarget) {}

  /** Pauses (once) and settles; resolves when nothing this replica took is uncommitted. */
  async hold(maxMs: number): Promise<void> {
    if (!this.held) {
      this.target.pause();
      this.held = { revoked: false, timer: setTimeout(() => this.release(`no rebalance within ${maxMs / 1000} s`), maxMs) };
      this.held.timer.unref();
    }
    await this.target.settle();
  }

  isHeld(): boolean {
    return this.held !== null;
  }

  /** The consumer's revocation: the rebalance the hold waits for has begun. */
  revoked(): void {
    if (this.held) this.held.revoked = true;
  }

  /** The consumer's assignment: after a revocation, the group has changed and this replica fetches again. */
  assigned(): void {
    if (this.held?.revoked) this.release('the group rebalanced');
  }

  release(why: string): void {
    if (!this.held) return;
    clearTimeout(this.held.timer);
    this.held = null;
    this.target.resume();
    this.target.log(`handover: fetching again (${why})`);
  }
}
