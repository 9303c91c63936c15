// Shared pieces of the fault suite: a local deploy of the clip topology on the real broker, a collector of the
// per-frame results (matches topic) with arrival times, and the reference key set from a clean run.
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka } from 'kafkajs';
import { createKafkaBackbone } from '../../pipelines/backbone/kafka/index.js';
import { kafkajsConfig } from '../../pipelines/backbone/kafka/connection.js';
import type { Backbone, ConsumedRecord, Consumer } from '../../pipelines/backbone/contract.js';
import { codecFor } from '../../pipelines/streams/avro.js';
import { consumerGroupName, publishedTopicName, topicName } from '../../pipelines/plan/names.js';
import type { MatchesRecord, SightingEvent } from '../../operators/streams/records.js';
import { tallyEvents, type EventTally } from '../faults/events.js';
import { alive, deployPaths, readJson, type SupervisorState, type WorkerState } from '../../pipelines/deploy/local/state.js';
import type { DeployStatus } from '../../pipelines/deploy/local/status.js';
import { writeClipTopology, type ClipTopologyOptions } from './clip-topology.js';
import { tierflow, uniqueName, until, type CliResult } from './deploy.js';
import { kafkaFromEnv, saslBackboneFromEnv } from './kafka.js';
import { resultsOf, Sessions, type Delivered } from '../faults/tally.js';
import { EVENTS, MATCHES } from '../../operators/streams/index.js';

export type FaultTopology = Omit<ClipTopologyOptions, 'name' | 'backbone'> & {
  /** Deploy on the broker's authorising SASL_SSL listener: a Kafka user and the plan's ACLs per node (least
   *  privilege). Default: on, unless TIERFLOW_FAULTS_ACLS=0. */
  acls?: boolean;
  /** The central cluster's brokers as the topology names them (default: the suite's), e.g. a link proxy in front of it. */
  brokers?: string[];
};

/** Whether fault deploys run with per-node credentials and ACLs unless a case says otherwise. */
export const ACLS_BY_DEFAULT = process.env['TIERFLOW_FAULTS_ACLS'] !== '0';

/**
 * The inputs every zero-loss case shares: two cameras of the clip as recorded files, looping off (92 frames each).
 * Recorded files wait for room instead of dropping frames (live cameras, and realtime files, drop their oldest frames
 * while the backbone is slow or down, by design), and the latency bound is wide so a frame waiting out a fault is
 * late, not dropped: either drop would make "lost" depend on how long the fault lasted.
 */
export const CLIP_RUN: FaultTopology = { cameras: 2, fps: 10, maxLatencyMs: 300_000 };

export class FaultDeploy {
  readonly pids = new Set<number>();
  private constructor(
    readonly name: string,
    readonly file: string,
    readonly stateDir: string,
  ) {}

  static async create(prefix: string, opts: FaultTopology): Promise<FaultDeploy> {
    const name = uniqueName(prefix);
    const { brokers, acls, ...topology } = opts;
    const backbone = acls ?? ACLS_BY_DEFAULT ? saslBackboneFromEnv() : { brokers: (brokers ?? kafkaFromEnv().brokers).map((b) => `"${b}"`) };
    const { dir, file } = await writeClipTopology({ ...topology, name, backbone: { type: 'kafka', ...backbone } });
    return new FaultDeploy(name, file, join(dir, 'state'));
  }

  get matchesTopic(): string {
    return topicName(this.name, 'match', 'matches');
  }

  get resultsTopic(): string {
    return publishedTopicName(this.name, 'results');
  }

  topic(producer: string, stream: 'frames' | 'faces' | 'embeddings' | 'matches'): string {
    return topicName(this.name, producer, stream);
  }

  private get sd(): string[] {
    return ['--state-dir', this.stateDir];
  }

  /** `extra`: more deploy flags (--adaptive, --pin-cores). */
  async deploy(extra: string[] = []): Promise<CliResult> {
    const r = await tierflow(['deploy', this.file, '--json', ...this.sd, ...extra], { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`deploy ${this.name} failed (${r.code}): ${r.stderr.trim()}`);
    return r;
  }

  async status(): Promise<DeployStatus> {
    // While `scale` rewrites the deploy's files a status call can find them half-way: ask again, a few times.
    let r = await tierflow(['status', this.name, '--json', ...this.sd], { timeoutMs: 30_000 });
    for (let i = 0; i < 5 && !r.stdout.trim(); i++) {
      await new Promise((res) => setTimeout(res, 1000));
      r = await tierflow(['status', this.name, '--json', ...this.sd], { timeoutMs: 30_000 });
    }
    if (!r.stdout.trim()) throw new Error(`status ${this.name} printed nothing (${r.code}): ${r.stderr.trim()}`);
    const s = JSON.parse(r.stdout) as DeployStatus;
    if (s.supervisor.pid) this.pids.add(s.supervisor.pid);
    for (const p of s.processes) if (p.pid) this.pids.add(p.pid);
    return s;
  }

  async waitUp(timeoutMs = 90_000): Promise<DeployStatus> {
    return until(`${this.name}: every worker up`, async () => {
      const s = await this.status();
      return s.processes.length > 0 && s.processes.every((p) => p.state === 'up') && s;
    }, timeoutMs);
  }

  /** The file sources have ended (looping off) on every camera. */
  async waitSourcesEnded(timeoutMs: number): Promise<void> {
    await until(`${this.name}: cameras ended`, async () => {
      const s = await this.status();
      return s.sources.length > 0 && s.sources.every((c) => c.state === 'ended');
    }, timeoutMs, 1000);
  }

  /** Every consumer chain has read its input to the end. */
  async waitDrained(timeoutMs: number): Promise<void> {
    await until(`${this.name}: consumers drained`, async () => {
      const s = await this.status();
      return s.operators.length > 0 && s.operators.every((o) => o.lag === 0) && s.processes.every((p) => p.state === 'up');
    }, timeoutMs, 1000);
  }

  /** What the supervisor recorded of a worker (start time of its current process, restarts). */
  worker(id: string): WorkerState | undefined {
    return readJson<SupervisorState>(deployPaths(this.stateDir, this.name).state)?.workers.find((w) => w.id === id);
  }

  logOf(worker: string): string {
    const file = join(this.stateDir, this.name, 'logs', `${worker}.log`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Undeploys, then kills anything this deploy ever started that still runs (a failed case must not leak).
   *  The logs are kept in the temp folder first: undeploy removes the state they live in. */
  async undeploy(): Promise<void> {
    const logs = join(this.stateDir, this.name, 'logs');
    if (existsSync(logs)) cpSync(logs, join(tmpdir(), 'tierflow-faults-logs', this.name), { recursive: true });
    await tierflow(['undeploy', this.name, ...this.sd], { timeoutMs: 90_000 }).catch(() => undefined);
    for (const pid of this.pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
}

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

/** Sum of a topic's end offsets, and of what `group` committed on it. */
async function progress(topic: string, group: string): Promise<{ end: number; committed: number }> {
  const admin = new Kafka(kafkajsConfig(kafkaFromEnv())).admin();
  await admin.connect();
  try {
    const end = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const committed = (offsets?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    return { end, committed };
  } finally {
    await admin.disconnect();
  }
}

/**
 * After the cameras ended: the gateway's group has committed every frame (it commits only once a wave's results
 * are acknowledged), and the collector has read every matches record. Broker offsets, not status lag, decide.
 */
async function waitAllRead(d: FaultDeploy, collector: MatchCollector, timeoutMs: number): Promise<void> {
  await until('every frame committed by detect', async () => {
    const p = await progress(d.topic('decode', 'frames'), consumerGroupName(d.name, 'detect'));
    return p.end > 0 && p.committed >= p.end;
  }, timeoutMs, 1000);
  const { end } = await progress(d.matchesTopic, consumerGroupName(d.name, 'aggregate'));
  await until('every matches record read', async () => collector.records >= end, timeoutMs, 500);
}

/** What a clean run of the clip delivered, for fault runs to compare with. */
export interface Reference {
  keys: Set<string>;
  /** Deploy to every record read, s. */
  seconds: number;
  /** Deploy to the last result delivered, s. */
  lastResultSec: number;
  /** End-to-end latency of each matches record (arrival at the collector - capture), ms. */
  latencies: number[];
}

/** Deploys, runs the clip to its end and returns what came out: the reference a fault run is compared with. */
export async function referenceRun(opts: FaultTopology, timeoutMs = 240_000): Promise<Reference> {
  // Without ACLs: the cases, with ACLs by default, must then deliver what a run without least privilege does.
  const d = await FaultDeploy.create('faults-ref', { acls: false, ...opts });
  const t0 = Date.now();
  let collector: MatchCollector | null = null;
  try {
    await d.deploy();
    collector = await MatchCollector.open(d.matchesTopic);
    await d.waitSourcesEnded(timeoutMs);
    await waitAllRead(d, collector, timeoutMs);
    return {
      keys: new Set(collector.deliveries.map((x) => x.key)),
      seconds: Math.round((Date.now() - t0) / 1000),
      lastResultSec: (collector.lastAt - t0) / 1000,
      latencies: collector.latencies.map((l) => l.ms),
    };
  } finally {
    await collector?.close();
    await d.undeploy();
  }
}
