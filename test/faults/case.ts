// What each fault case reports: the summary fields the suite's last line carries, and the details behind them.
export interface CaseResult {
  name: string;
  /** Expected results never delivered; null when the case does not count results. */
  lost: number | null;
  /** Results still duplicated after keep-first de-duplication. */
  duplicated: number | null;
  /** Expected sighting events never on the results topic (test/faults/events.ts); null when not counted. */
  eventsLost?: number | null;
  /** Event keys delivered more than once with differing content: what keep-first by event key would get wrong. */
  eventsDuplicated?: number | null;
  /** Fault (or its end) to the next result delivered, s; null when not measured. */
  recoverySec: number | null;
  /** Case-specific numbers and checks: raw duplicates, dead letters, latency, memory. */
  detail?: Record<string, unknown>;
  /** Set when the case could not complete: what went wrong, in one line. */
  error?: string;
  /** Whether every check of the case held. */
  ok?: boolean;
}
