// Restart delays of a crashed worker: 1 s, 2 s, 4 s ... at most 30 s; a worker that stayed up for a minute
// starts again from 1 s, so one crash a day is never punished like a crash loop.
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;
export const BACKOFF_RESET_AFTER_MS = 60_000;

/** Consecutive crashes after this one, given how long the process ran before crashing. */
export function crashStreak(previousStreak: number, upMs: number): number {
  return upMs >= BACKOFF_RESET_AFTER_MS ? 1 : previousStreak + 1;
}

/** Delay before the restart that follows the `streak`-th consecutive crash (streak >= 1). */
export function restartDelayMs(streak: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.min(streak - 1, 20)));
}
