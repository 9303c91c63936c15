// Reconnect delays: doubling from initialMs up to maxMs. No jitter, so state displays and tests can say
// exactly when the next attempt comes; cameras of one node rarely fail in lockstep.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** Failed attempts in a row after which a source is given up; 0 = never. */
  maxAttempts: number;
}

/** Delay before retry number `attempt` (1 = first retry after the first failure). */
export function backoffDelay(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.max(0, attempt - 1);
  // 2^31 ms is ~25 days: past any sensible maxMs, and keeps the product finite.
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(exponent, 31));
}

export function shouldGiveUp(attempt: number, policy: BackoffPolicy): boolean {
  return policy.maxAttempts > 0 && attempt >= policy.maxAttempts;
}
