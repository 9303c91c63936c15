// Shared pieces of the fault suite: a local deploy of the clip topology on the real broker, and the reference key set
// from a clean run. The collector of results (match-collector.ts) is re-exported here, where the cases import it.
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka } from 'kafkajs';
import { kafkajsConfig } from '../../pipelines/backbone/kafka/connection.js';
import { consumerGroupName, publishedTopicName, topicName } from '../../pipelines/plan/names.js';
import { alive, deployPaths, readJson, type SupervisorState, type WorkerState } from '../../pipelines/deploy/local/state.js';
import type { DeployStatus } from '../../pipelines/deploy/local/status.js';
import { writeClipTopology, type ClipTopologyOptions } from './clip-topology.js';
import { tierflow, uniqueName, until, type CliResult } from './deploy.js';
import { kafkaFromEnv, saslBackboneFromEnv } from './kafka.js';
import { MatchCollector } from './match-collector.js';

export { MatchCollector };

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
