// Wakes everyone waiting for "something changed" (an append, an assignment, resume, close). Waiters re-check
// their condition after waking, so a spurious wake is harmless and a notify between check and wait is not lost
// (the check and the `wait()` call happen in the same synchronous turn).
export class Signal {
  private waiters: Array<() => void> = [];
  private readonly listeners = new Set<() => void>();

  /** Calls `fn` on every notify until the returned function is called. */
  listen(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
    for (const fn of this.listeners) fn();
  }
}
