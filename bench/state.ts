// What state costs. pipeline-fps-ratio: `tierflow run` of the clip (two cameras, Kafka when KAFKA_BROKERS is set,
// else embedded) with changelogs on versus off (TIERFLOW_STATE_CHANGELOGS=off keeps state in memory only), `--reps`
// pairs of runs (`--plays` of the clip per camera, saturating the pipeline), the two in a pair side by side and their
// order alternating; the ratio is the median of the pairs' ratios (on / off). A first run warms the page cache and
// is not counted; every run has topics of its own, deleted after it, so no run restores another's changelog or
// leaves the broker more topics to keep than the run before had. changelog-share: the changelog's records and bytes
// against everything the run produced. changelog-request-cpu: the CPU one changelog request costs (this process's,
// librdkafka's threads included, plus the broker's, from /proc), and times the most requests a run can make (a
// checkpoint per interval per chain with a changelog), the share of the machine's cores state takes at most: the
// bound pipeline fps on this machine is too noisy to show. restore: how long restoring N open aggregate windows from a changelog takes
// (write N entries, then read the partition back and decode it), per backbone.
import { join } from 'node:path';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import kafkajs from 'kafkajs';
import { median, runNode } from './node-run.js';
import { repoRoot } from '../test/helpers/paths.js';
import { writeClipTopology } from '../test/helpers/clip-topology.js';
import { createEmbeddedBackbone } from '../pipelines/backbone/embedded/index.js';
import { createKafkaBackbone } from '../pipelines/backbone/kafka/index.js';
import type { Backbone } from '../pipelines/backbone/contract.js';
import { Changelog, StateCodec } from '../pipelines/runtime/state/changelog.js';
import { PartitionedState } from '../pipelines/runtime/state/store.js';
import { createWindows, WINDOW_ENTRY_SCHEMA, type WindowEntry, type WindowStore } from '../operators/aggregate/windows.js';
import type { MatchesRecord } from '../operators/streams/records.js';
import { CHECKPOINT_INTERVAL_MS } from '../pipelines/runtime/waves.js';

/** Chains of the clip's face flow with a changelog: detect->embed->match (match's clusters) and aggregate. */
const CHANGELOG_CHAINS = 2;

async function restoreMs(backbone: Backbone, windows: number, stamp: string): Promise<number> {
  const topic = `bench-state-${stamp}-${backbone.kind}-${windows}`;
  await backbone.provision([{ name: topic, partitions: 1, compacted: true, compression: 'lz4' }]);
  const producer = await backbone.producer();
  const codec = new StateCodec('aggregate', { schema: WINDOW_ENTRY_SCHEMA, version: 2 });
  const changelog = new Changelog(topic, codec, backbone, producer);
  const entry = (i: number): WindowEntry => ({
    clock: null,
    window: { camera: `cam-${i % 8}`, identity: `person-${i}`, track: 0, start: 1_000 * i, from: 1_000 * i, to: 1_000 * i + 900, firstSeq: i, lastSeq: i + 9, frames: Array.from({ length: 10 }, (_, k) => `e0:${i + k}`), bestScore: 0.9, bestDistance: 0.4 },
  });
  for (let i = 0; i < windows; i += 1000) {
    await changelog.write(Array.from({ length: Math.min(1000, windows - i) }, (_, k) => ({ partition: 0, key: `w${i + k}`, value: entry(i + k) })));
  }
  await producer.flush();
  const t0 = performance.now();
  const state = new PartitionedState('aggregate');
  state.load(0, await changelog.restore(0));
  const ms = performance.now() - t0;
  state.enter(0);
  if (state.store.size !== windows) throw new Error(`restored ${state.store.size} windows, wrote ${windows}`);
  await producer.close();
  return Math.round(ms * 10) / 10;
}

/** CPU seconds (user + system) a process has used so far, from /proc; 0 when it cannot be read. */
function procCpuSec(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

const brokerPid = (): number | null => {
  try {
    return Number(readFileSync(join(repoRoot, 'infra', 'kafka', 'cache', 'broker.pid'), 'utf8').trim()) || null;
  } catch {
    return null;
  }
};

/** Two cameras at 30 fps, two known faces in most frames: what match hands aggregate in the clip runs. */
function matchRecords(n: number): MatchesRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    camera: i % 2 === 0 ? 'cam-1' : 'cam-4', epoch: 'e0', seq: i >> 1, captureTs: 1_000_000 + Math.floor(i / 2) * 33,
    faces: [
      { index: 0, box: [10, 10, 50, 50], score: 0.9, identity: 'Alex Lacamoire', distance: 0.4, clusterId: null, track: 0, carried: false },
      ...(i % 3 === 0 ? [] : [{ index: 1, box: [80, 10, 50, 50] as [number, number, number, number], score: 0.8, identity: 'Lin-Manuel Miranda', distance: 0.45, clusterId: null, track: 0, carried: false }]),
    ],
  }));
}

/**
 * CPU one changelog request costs, ms (this process, librdkafka's threads included, plus the broker): aggregate's
 * windows over `n` match records in waves of 4, every wave's changes written and acknowledged, against the same
 * without writing, divided by the waves.
 */
export async function changelogRequestCpu(backbone: Backbone, n: number, stamp: string): Promise<{ ms: number; recordsPerRequest: number }> {
  const records = matchRecords(n);
  const topic = `bench-state-${stamp}-requests`;
  await backbone.provision([{ name: topic, partitions: 1, compacted: true, compression: 'lz4' }]);
  const producer = await backbone.producer();
  const changelog = new Changelog(topic, new StateCodec('aggregate', { schema: WINDOW_ENTRY_SCHEMA, version: 1 }), backbone, producer);
  const broker = backbone.kind === 'kafka' ? brokerPid() : null;
  const waves = Math.ceil(records.length / 4);
  let written = 0;
  const once = async (write: boolean): Promise<number> => {
    const state = new PartitionedState('aggregate');
    state.load(0, []);
    const windows = createWindows({ kind: 'tumbling', sizeMs: 2000, slideMs: 1000, minFrames: 1, includeUnknown: false, idleMs: 15_000 }, state.store as WindowStore);
    const c0 = process.cpuUsage();
    const b0 = broker ? procCpuSec(broker) : 0;
    written = 0;
    for (let i = 0; i < records.length; i += 4) {
      state.enter(0);
      for (const r of records.slice(i, i + 4)) windows.add(r, 0);
      state.leave();
      const changes = state.takeChanges();
      written += changes.length;
      if (write) await changelog.write(changes);
    }
    await producer.flush();
    // The broker's share lands a little after the acks; a second lets it (both modes wait alike).
    if (broker) await new Promise((r) => setTimeout(r, 1000));
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1e3 + (broker ? (procCpuSec(broker) - b0) * 1e3 : 0);
  };
  const on: number[] = [];
  const off: number[] = [];
  await once(true); // warm-up
  for (let r = 0; r < 5; r++) {
    on.push(await once(true));
    off.push(await once(false));
  }
  await producer.close();
  return { ms: Math.round(((median(on) - median(off)) / waves) * 1000) / 1000, recordsPerRequest: Math.round((written / waves) * 10) / 10 };
}

export async function run(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const reps = Number(args[args.indexOf('--reps') + 1]) || 3;
  const plays = Number(args[args.indexOf('--plays') + 1]) || 3;
  const brokers = process.env['KAFKA_BROKERS']?.split(',');
  const stamp = Date.now().toString(36);
  const { dir, file } = await writeClipTopology({
    name: `bench-state-${stamp}`,
    backbone: brokers ? { type: 'kafka', brokers } : { type: 'embedded' },
    cameraNames: ['cam-1', 'cam-4'],
    // As the pipeline bench: 30 fps, files read as fast as the pipeline takes them, three plays. At 10 fps and one
    // play (~10 s a run) the ratio measured the fixed cost of a run (changelog topics, restores before the first
    // record), not what keeping state costs per record: 0.81 on an idle machine.
    fps: 30,
    plays,
    maxLatencyMs: 300_000,
  });
  const cli = join(repoRoot, 'dist', 'pipelines', 'cli', 'main.js');
  const yaml = readFileSync(file, 'utf8');
  const admin = brokers ? new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).admin() : null;
  await admin?.connect();
  let runs = 0;
  const runOnce = async (mode: 'on' | 'off'): Promise<{ fps: number; topics: string[] }> => {
    const name = `bench-state-${stamp}-r${runs++}`;
    const own = file.replace(/\.yaml$/, `-${name}.yaml`);
    writeFileSync(own, yaml.replace(/^name: .*$/m, `name: ${name}`));
    const out = await runNode([cli, 'run', own, '--json', '--until-sources-end'], { TIERFLOW_STATE_CHANGELOGS: mode });
    const summary = JSON.parse(out.trim().split('\n').at(-1)!) as { fps: number };
    process.stderr.write(`state bench: changelogs ${mode}: ${summary.fps} fps\n`);
    const topics = admin ? (await admin.listTopics()).filter((t) => t.startsWith(`tierflow.${name}.`)) : [];
    return { fps: summary.fps, topics };
  };
  const drop = async (topics: string[]) => {
    if (admin && topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
  };
  const fps: Record<'on' | 'off', number[]> = { on: [], off: [] };
  const pairs: number[] = [];
  let share: { records: number; bytes: number; recordsAll: number; bytesAll: number } | null = null;
  try {
    await drop((await runOnce('on')).topics); // warm-up, not counted
    for (let r = 0; r < reps; r++) {
      const pair: Partial<Record<'on' | 'off', number>> = {};
      for (const mode of r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        const { fps: f, topics } = await runOnce(mode);
        fps[mode].push(f);
        pair[mode] = f;
        if (mode === 'on' && admin && brokers && !share) {
          const reader = await createKafkaBackbone({ brokers, timeoutMs: 10_000 });
          share = await topicShare(admin, reader, topics).finally(() => reader.close());
        }
        await drop(topics);
      }
      pairs.push(pair.on! / pair.off!);
    }
  } finally {
    await admin?.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = Math.round(median(pairs) * 1000) / 1000;
  // The most changelog requests a run can make: each chain with a changelog checkpoints at most once an interval.
  let requests: { ms: number; recordsPerRequest: number; perSecond: number; coreShare: number } | null = null;
  if (brokers) {
    const b = await createKafkaBackbone({ brokers, timeoutMs: 10_000 });
    const cpu = await changelogRequestCpu(b, 4_000, stamp).finally(() => b.close());
    const perSecond = CHANGELOG_CHAINS * (1000 / CHECKPOINT_INTERVAL_MS);
    requests = { ...cpu, perSecond, coreShare: Math.round(((cpu.ms * perSecond) / 1000 / cpus().length) * 10_000) / 10_000 };
  }
  const backbones: Backbone[] = [createEmbeddedBackbone()];
  if (brokers) backbones.push(await createKafkaBackbone({ brokers, timeoutMs: 10_000 }));
  const restores: Array<{ case: 'restore'; backbone: string; windows: number; ms: number }> = [];
  for (const b of backbones) {
    for (const windows of [100, 10_000]) restores.push({ case: 'restore', backbone: b.kind, windows, ms: await restoreMs(b, windows, stamp) });
    await b.close();
  }
  const rows = [
    ['case', 'value'],
    [`pipeline fps, changelogs on (${brokers ? 'kafka' : 'embedded'}), median of ${reps}`, String(median(fps.on))],
    ['pipeline fps, changelogs off, median', String(median(fps.off))],
    [`pipeline-fps-ratio (on / off), median of ${reps} pairs`, String(ratio)],
    ['pairs\' ratios', pairs.map((p) => p.toFixed(3)).join(' ')],
    ...(share ? [['changelog share of records produced', `${share.records} of ${share.recordsAll}`], ['changelog share of bytes produced', `${(share.bytes / 1e6).toFixed(2)} of ${(share.bytesAll / 1e6).toFixed(2)} MB`]] : []),
    ...(requests
      ? [
          [`CPU per changelog request (${requests.recordsPerRequest} records), this process + broker, ms`, String(requests.ms)],
          [`at most ${requests.perSecond} requests/s (${CHANGELOG_CHAINS} changelogs, a checkpoint per ${CHECKPOINT_INTERVAL_MS} ms): share of ${cpus().length} cores`, `${(requests.coreShare * 100).toFixed(2)} %`],
        ]
      : []),
    ...restores.map((r) => [`restore ${r.windows} windows (${r.backbone}), ms`, String(r.ms)]),
  ];
  const width = Math.max(...rows.map((r) => r[0]!.length));
  for (const [k, v] of rows) process.stdout.write(`${k!.padEnd(width)}  ${v}\n`);
  const result = { bench: 'state', results: [{ case: 'pipeline-fps-ratio', value: ratio, pairs: pairs.map((p) => Math.round(p * 1000) / 1000), on: fps.on, off: fps.off, backbone: brokers ? 'kafka' : 'embedded' }, ...(share ? [{ case: 'changelog-share', ...share }] : []), ...(requests ? [{ case: 'changelog-request-cpu', ...requests }] : []), ...restores] };
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Records and bytes (keys and values) on the run's changelog topics against all its topics: what state adds. */
async function topicShare(admin: kafkajs.Admin, reader: Backbone, topics: string[]): Promise<{ records: number; bytes: number; recordsAll: number; bytesAll: number }> {
  const out = { records: 0, bytes: 0, recordsAll: 0, bytesAll: 0 };
  const { topics: meta } = await admin.fetchTopicMetadata({ topics });
  for (const t of meta) {
    for (const { partitionId } of t.partitions) {
      const entries = await reader.readPartition(t.name, partitionId);
      const bytes = entries.reduce((n, e) => n + Buffer.byteLength(e.key) + (e.value?.byteLength ?? 0), 0);
      out.recordsAll += entries.length;
      out.bytesAll += bytes;
      if (t.name.endsWith('.changelog')) {
        out.records += entries.length;
        out.bytes += bytes;
      }
    }
  }
  return out;
}
