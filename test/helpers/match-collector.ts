// The fault suite's outside consumer of results: reads a matches topic (and the results topic's sighting events) from
// the beginning, each offset once, with arrival times, as any consumer of tierflow's results would.
import { createKafkaBackbone } from '../../pipelines/backbone/kafka/index.js';
import type { Backbone, ConsumedRecord, Consumer } from '../../pipelines/backbone/contract.js';
import { codecFor } from '../../pipelines/streams/avro.js';
import type { MatchesRecord, SightingEvent } from '../../operators/streams/records.js';
import { EVENTS, MATCHES } from '../../operators/streams/index.js';
import { tallyEvents, type EventTally } from '../faults/events.js';
import { resultsOf, Sessions, type Delivered } from '../faults/tally.js';
import { uniqueName, until } from './deploy.js';
import { kafkaFromEnv } from './kafka.js';

/** Reads a matches topic from the beginning with a group of its own, as an outside consumer of results would. */
export class MatchCollector {
  readonly deliveries: Delivered[] = [];
  /** Per matches record: arrival here minus capture time, ms (end-to-end latency as a results consumer sees it). */
  readonly latencies: Array<{ at: number; ms: number; camera: string }> = [];
  /** Every matches record read (each offset once), for the events they imply. */
  readonly matches: MatchesRecord[] = [];
  /** Sighting events on the results topic, each offset once, with arrival times. */
  readonly events: Array<SightingEvent & { at: number }> = [];
  undecodable = 0;
  /**
   * Why a read loop of this collector ended while it should have been reading (a consume error during a broker
   * outage ends a consumer's run): each time it was opened again, from the beginning, with a group of its own.
   */
  readonly reopened: string[] = [];
  private readonly offsets = new Set<string>();
  private readonly eventOffsets = new Set<string>();
  private readonly sessions = new Sessions();
  private readonly readers: Array<{ consumer: Consumer | null; running: Promise<void> }> = [];
  private closing = false;

  private constructor(private readonly backbone: Backbone) {}

  /** `resultsTopic`: also read the sighting events there. `brokers`: another cluster than the suite's (a site's). */
  static async open(topic: string, resultsTopic?: string, brokers?: string[]): Promise<MatchCollector> {
    const backbone = await createKafkaBackbone({ ...kafkaFromEnv(), ...(brokers ? { brokers } : {}), clientId: 'tierflow-faults' });
    const c = new MatchCollector(backbone);
    const matches = codecFor(MATCHES);
    await c.follow('faults-collector', topic, (r, at) => {
      // A rejoin after a broker restart re-reads from the beginning (this group commits nothing: its commits are
      // synchronous and would block this process while the broker is down). A re-read offset is no duplicate.
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
      await c.follow('faults-events', resultsTopic, (r, at) => {
        const where = `${r.partition}/${r.offset}`;
        if (c.eventOffsets.has(where)) return;
        c.eventOffsets.add(where);
        c.events.push({ ...events.decode(r.value, r.headers), at });
      });
    }
    return c;
  }

  /**
   * Reads `topic` from the beginning until close. A read loop that ends early is opened again (new group, from the
   * beginning; the offsets seen make re-reads harmless), so what the suite counts as lost was never on the topic.
   */
  private async follow(prefix: string, topic: string, onRecord: (r: ConsumedRecord, at: number) => void): Promise<void> {
    const reader: { consumer: Consumer | null; running: Promise<void> } = { consumer: null, running: Promise.resolve() };
    this.readers.push(reader);
    const open = async (): Promise<void> => {
      const consumer = await this.backbone.consumer({ groupId: uniqueName(prefix), topics: [topic], fromBeginning: true, maxBatch: 500 });
      reader.consumer = consumer;
      reader.running = consumer
        .run(async (records) => {
          const at = Date.now();
          for (const r of records) {
            try {
              onRecord(r, at);
            } catch {
              this.undecodable++;
            }
          }
        })
        .then(
          () => (this.closing ? undefined : Promise.reject(new Error('the read loop returned'))),
          (e: unknown) => Promise.reject(e),
        )
        .catch(async (e: unknown) => {
          if (this.closing) return;
          this.reopened.push(`${topic}: ${e instanceof Error ? e.message : String(e)}`);
          await consumer.close().catch(() => undefined);
          await new Promise((r) => setTimeout(r, 1000));
          if (!this.closing) await open().catch((err: unknown) => this.reopened.push(`${topic}: reopening failed: ${String(err)}`));
        });
    };
    await open();
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
  async eventReport(live = false): Promise<{ eventsLost: number | null; eventsDuplicated: number | null; events: EventTally }> {
    if (!live) await this.settleEvents(60_000);
    const t = this.eventTally();
    return live ? { eventsLost: null, eventsDuplicated: null, events: t } : { eventsLost: t.eventsLost, eventsDuplicated: t.eventsDuplicated, events: t };
  }

  /** Resolves once every event the delivered matches imply is on the results topic, or after `timeoutMs`. */
  async settleEvents(timeoutMs: number): Promise<boolean> {
    return until('every expected event', async () => this.eventTally().eventsLost === 0, timeoutMs, 500).then(() => true, () => false);
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const r of this.readers) {
      // A reopening under way when close came may have replaced the consumer meanwhile: close that one too.
      for (let seen = r.consumer; ; seen = r.consumer) {
        await seen?.close().catch(() => undefined);
        await r.running.catch(() => undefined);
        if (r.consumer === seen) break;
      }
    }
    await this.backbone.close();
  }

}
