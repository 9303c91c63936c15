// The fault suite's outside observer of results: reads a matches topic (and the results topic's sighting events) from
// the beginning, each offset once, with arrival times. It reads without a consumer group (./topic-tail.ts), so what
// it counts as lost was never on the topic: a group member of its own could stall after a broker restart where the
// pipeline did not.
import type { ConsumedRecord } from '../../pipelines/backbone/contract.js';
import type { KafkaConnection } from '../../pipelines/backbone/kafka/index.js';
import { codecFor } from '../../pipelines/streams/avro.js';
import type { MatchesRecord, SightingEvent } from '../../operators/streams/records.js';
import { EVENTS, MATCHES } from '../../operators/streams/index.js';
import { tallyEvents, type EventTally } from '../faults/events.js';
import { resultsOf, Sessions, type Delivered } from '../faults/tally.js';
import { until } from './deploy.js';
import { kafkaFromEnv } from './kafka.js';
import { TopicTail } from './topic-tail.js';

/** Reads a matches topic (and a results topic's events) from the beginning, every partition, until closed. */
export class MatchCollector {
  readonly deliveries: Delivered[] = [];
  /** Per matches record: arrival here minus capture time, ms (end-to-end latency as a results consumer sees it). */
  readonly latencies: Array<{ at: number; ms: number; camera: string }> = [];
  /** Every matches record read (each offset once), for the events they imply. */
  readonly matches: MatchesRecord[] = [];
  /** Sighting events on the results topic, each offset once, with arrival times. */
  readonly events: Array<SightingEvent & { at: number }> = [];
  undecodable = 0;
  private readonly offsets = new Set<string>();
  private readonly eventOffsets = new Set<string>();
  private readonly sessions = new Sessions();
  private readonly tails: TopicTail[] = [];

  private constructor(private readonly conn: KafkaConnection) {}

  /** `topic`: the matches topic, or null for none. `resultsTopic`: also read the sighting events there. `brokers`:
   *  another cluster than the suite's (a site's). */
  static async open(topic: string | null, resultsTopic?: string, brokers?: string[]): Promise<MatchCollector> {
    const c = new MatchCollector({ ...kafkaFromEnv(), ...(brokers ? { brokers } : {}) });
    const matches = codecFor(MATCHES);
    if (topic !== null) await c.follow(topic, (r, at) => {
      const where = `${r.partition}/${r.offset}`;
      if (c.offsets.has(where)) return;
      c.offsets.add(where);
      const m = matches.decode(r.value, r.headers);
      c.matches.push(m);
      c.deliveries.push(...resultsOf(m, at, c.sessions));
      c.latencies.push({ at, ms: at - m.captureTs, camera: m.camera });
    });
    if (resultsTopic) {
      const events = codecFor(EVENTS);
      await c.follow(resultsTopic, (r, at) => {
        const where = `${r.partition}/${r.offset}`;
        if (c.eventOffsets.has(where)) return;
        c.eventOffsets.add(where);
        c.events.push({ ...events.decode(r.value, r.headers), at });
      });
    }
    return c;
  }

  /** Reads `topic` from the beginning until close, without a consumer group (see ./topic-tail.ts). */
  private async follow(topic: string, onRecord: (r: ConsumedRecord, at: number) => void): Promise<void> {
    const tail = await TopicTail.open(this.conn, topic, (records) => {
      const at = Date.now();
      for (const r of records) {
        try {
          onRecord(r, at);
        } catch {
          this.undecodable++;
        }
      }
    });
    this.tails.push(tail);
  }

  /** Consume errors the collector's readers waited out (a broker outage shows here). */
  get readErrors(): string[] {
    return this.tails.flatMap((t) => t.errors);
  }

  /** Matches records read (each offset once). */
  get records(): number {
    return this.offsets.size;
  }

  get lastAt(): number {
    return this.deliveries.at(-1)?.at ?? 0;
  }

  /** Resolves once nothing new has arrived for `quietMs` (and at least one result has), bounded by `timeoutMs`. */
  async quiet(quietMs: number, timeoutMs: number): Promise<void> {
    await until('results to stop arriving', async () => this.deliveries.length > 0 && Date.now() - this.lastAt > quietMs, timeoutMs, 500);
  }

  /**
   * Resolves once every expected result has arrived (then waits `trailMs` more for late replays), or when
   * `timeoutMs` passes: what is missing then is lost. Lag in status is not trusted for this: a consumer that lost
   * its assignment reports none.
   */
  async settle(expected: ReadonlySet<string>, timeoutMs: number, trailMs = 3_000): Promise<boolean> {
    const complete = await until('every expected result', async () => {
      const got = new Set(this.deliveries.map((d) => d.key));
      return [...expected].every((k) => got.has(k));
    }, timeoutMs, 500).then(() => true, () => false);
    await new Promise((r) => setTimeout(r, trailMs));
    return complete;
  }

  /** Events delivered against the events the delivered matches imply (see test/faults/events.ts). */
  eventTally(): EventTally {
    return tallyEvents(this.matches, this.events);
  }

  /**
   * The suite's event fields. A zero-loss case waits (bounded) for every implied event first; a live case (cameras
   * that drop frames by design) reports its counts in detail only, since windows may close before late frames come.
   */
  async eventReport(live = false, waitMs = 60_000): Promise<{ eventsLost: number | null; eventsDuplicated: number | null; events: EventTally }> {
    if (!live) await this.settleEvents(waitMs);
    const t = this.eventTally();
    return live ? { eventsLost: null, eventsDuplicated: null, events: t } : { eventsLost: t.eventsLost, eventsDuplicated: t.eventsDuplicated, events: t };
  }

  /** Resolves once every event the delivered matches imply is on the results topic, or after `timeoutMs`. */
  async settleEvents(timeoutMs: number): Promise<boolean> {
    return until('every expected event', async () => this.eventTally().eventsLost === 0, timeoutMs, 500).then(() => true, () => false);
  }

  async close(): Promise<void> {
    await Promise.all(this.tails.map((t) => t.close()));
  }
}
