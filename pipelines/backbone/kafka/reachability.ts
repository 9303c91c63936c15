// Whether a consumer can receive, read from librdkafka's statistics: a broker up, its group steady; how long in all it
// could not (the chain clock stands still meanwhile); and when a group has stayed unsteady with its broker up for so
// long that the member has stalled.
import { TierflowError } from '../../errors.js';

/**
 * Whether librdkafka's statistics show the consumer able to receive: a broker (a real node, not the bootstrap entry)
 * in state UP and, for a group member, its group joined and steady. After a broker restart the brokers are UP again
 * within a second or two while the group takes ~10-15 s to rejoin, and nothing flows meanwhile.
 */
export function receiving(statsJson: string | undefined): boolean {
  return reception(statsJson).up;
}

/** What stops a consumer from receiving: no broker, or a broker up and its group not (yet) steady. */
export type Blocked = 'broker' | 'group';

/** `receiving`, with what blocks it and what the statistics showed (for the worker's log). */
export function reception(statsJson: string | undefined): { up: boolean; blocked: Blocked | null; why: string } {
  try {
    const stats = JSON.parse(statsJson ?? '{}') as { brokers?: Record<string, { nodeid?: number; state?: string }>; cgrp?: { state?: string; join_state?: string } };
    const brokers = Object.values(stats.brokers ?? {}).filter((b) => (b.nodeid ?? -1) >= 0);
    if (!brokers.some((b) => b.state === 'UP')) return { up: false, blocked: 'broker', why: `no broker up (${brokers.map((b) => b.state).join(', ') || 'none known'})` };
    const g = stats.cgrp;
    if (g && !(g.state === 'up' && g.join_state === 'steady')) return { up: false, blocked: 'group', why: `group not steady (state ${g.state}, join state ${g.join_state})` };
    return { up: true, blocked: null, why: '' };
  } catch {
    return { up: true, blocked: null, why: '' }; // unreadable statistics say nothing about an outage
  }
}

/**
 * A group member that stays out of a steady group while its broker is up has stalled: librdkafka has known ways to
 * never rejoin after a broker restart (its issues 844, 947; confluent-kafka-python 1305), and such a member reads
 * nothing and reports no error. A rejoin takes ~7 s here after a broker restart (the broker-outage fault case); past
 * REJOIN_LIMIT_MS the consumer gives up with an error, so its worker fails and its supervisor starts a fresh one.
 */
export const REJOIN_LIMIT_MS = 30_000;

/** Watches how long a consumer has had its broker up and its group not steady. */
export class RejoinWatch {
  private since: number | null = null;

  constructor(private readonly limitMs = REJOIN_LIMIT_MS) {}

  /** Returns how long the group has been unsteady with the broker up, once that is past the limit; else null. */
  observe(blocked: Blocked | null, now = Date.now()): number | null {
    if (blocked !== 'group') {
      this.since = null;
      return null;
    }
    this.since ??= now;
    return now - this.since > this.limitMs ? now - this.since : null;
  }
}

/** Adds up the time between a statistics report without a broker and the next one with one. */
export class Reachability {
  private downSince: number | null = null;
  private downMs = 0;

  /** Returns what changed: 'down' when an outage starts, the outage's length (ms) when it ends, else null. */
  observe(up: boolean, now = Date.now()): 'down' | number | null {
    if (!up && this.downSince === null) {
      this.downSince = now;
      return 'down';
    }
    if (up && this.downSince !== null) {
      const ms = now - this.downSince;
      this.downMs += ms;
      this.downSince = null;
      return ms;
    }
    return null;
  }

  unreachableMs(now = Date.now()): number {
    return this.downMs + (this.downSince === null ? 0 : now - this.downSince);
  }
}

/**
 * A consumer's health from its statistics: the time without a broker, an outage said in the log when it starts (and
 * why) and when it ends, and a group that stays unsteady with its broker up given up on (`stalled`: the consume loop
 * ends with it, so a fresh consumer joins).
 */
export class ConsumerHealth {
  private readonly reachability = new Reachability();
  private readonly rejoin = new RejoinWatch();
  stalled: TierflowError | null = null;

  constructor(
    private readonly who: string,
    private readonly log?: (line: string) => void,
  ) {}

  unreachableMs(): number {
    return this.reachability.unreachableMs();
  }

  observe(statsJson: string | undefined, closed: boolean): void {
    const r = reception(statsJson);
    const change = this.reachability.observe(r.up);
    if (change === 'down') this.log?.(`${this.who}: not receiving: ${r.why}`);
    else if (typeof change === 'number') this.log?.(`${this.who}: receiving again after ${(change / 1000).toFixed(1)} s`);
    const stuckMs = this.rejoin.observe(r.blocked);
    if (stuckMs !== null && !this.stalled && !closed) {
      this.stalled = new TierflowError('BROKER_UNREACHABLE', `${this.who}: the broker is up but the group has not been steady for ${Math.round(stuckMs / 1000)} s (${r.why}): giving up on this consumer so a fresh one joins`, { retriable: true });
      this.log?.(this.stalled.message);
    }
  }
}
