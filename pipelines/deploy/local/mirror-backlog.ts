// What a MirrorMaker 2 has still to carry: per topic it mirrors, the source partitions' end offsets against the
// source offsets it has committed. Dedicated MirrorMaker keeps those (Connect's source offsets) in the cluster it
// writes to, topic `mm2-offsets.<source>.internal`, keyed `["MirrorSourceConnector",{cluster,partition,topic}]`
// with value `{"offset":<last copied offset>}`; it resumes at that offset + 1. When the target cluster does not
// answer, the offsets last read (kept in the deploy's state folder) stand in, and the backlog is marked so: it is
// then what the source holds beyond what the target was last seen to have.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import type { Plan } from '../../plan/types.js';
import type { PlannedSite } from '../../plan/sites.js';
import { kafkajsConfig } from '../../backbone/kafka/connection.js';
import { kafkaConnectionOf } from '../../backbone/index.js';
import { createKafkaBackbone } from '../../backbone/kafka/index.js';
import type { Backbone } from '../../backbone/contract.js';
import { kafkaSpec } from './lifecycle.js';
import { writeJsonAtomic, type DeployPaths } from './state.js';

export interface MirrorBacklog {
  /** Records at the sources not yet in the target. */
  records: number;
  /** false: the target did not answer, and its offsets are the ones last read (or none, if never read). */
  exact: boolean;
}

/** The Connect offsets topic a dedicated MirrorMaker keeps in `target` for the flow from `source`. */
export const mirrorOffsetsTopic = (source: string) => `mm2-offsets.${source}.internal`;

type Offsets = Record<string, number>;
const key = (cluster: string, topic: string, partition: number) => `${cluster}/${topic}/${partition}`;

/** The source partition a Connect offsets key names, or null for another connector's key. */
function sourcePartition(k: string): { cluster: string; topic: string; partition: number } | null {
  try {
    const [connector, part] = JSON.parse(k) as [unknown, { cluster?: unknown; topic?: unknown; partition?: unknown }];
    if (connector !== 'MirrorSourceConnector' || typeof part?.cluster !== 'string' || typeof part.topic !== 'string' || typeof part.partition !== 'number') return null;
    return { cluster: part.cluster, topic: part.topic, partition: part.partition };
  } catch {
    return null;
  }
}

/** The last copied offset per `cluster/topic/partition` from a target's offsets topics, or null when it cannot be read. */
async function committed(plan: Plan, target: PlannedSite, sources: string[]): Promise<Offsets | null> {
  let backbone: Backbone | null = null;
  try {
    backbone = await createKafkaBackbone({ ...kafkaConnectionOf(kafkaSpec(plan, target.brokers)), timeoutMs: 3000 });
    const out: Offsets = {};
    for (const source of sources) {
      // One partition: mirror.ts sets offset.storage.partitions = 1. Not there yet: nothing copied yet.
      const records = await backbone.readPartition(mirrorOffsetsTopic(source), 0).catch((e: unknown) => (/unknown topic|UNKNOWN_TOPIC/i.test(String(e)) ? [] : Promise.reject(e)));
      for (const r of records) {
        const at = sourcePartition(r.key);
        const value = r.value === null ? null : (JSON.parse(Buffer.from(r.value).toString()) as { offset?: number });
        if (at && typeof value?.offset === 'number') out[key(at.cluster, at.topic, at.partition)] = value.offset;
      }
    }
    return out;
  } catch {
    return null;
  } finally {
    await backbone?.close();
  }
}

/**
 * Whether a Kafka cluster answers a metadata request within `timeoutMs`: a TCP connect alone is not enough, a proxy
 * or load balancer in front of a cluster that is away accepts connections too.
 */
export async function kafkaAnswers(brokers: string[], timeoutMs = 2000): Promise<boolean> {
  if (brokers.length === 0) return false;
  const admin = new kafkajs.Kafka({ ...kafkajsConfig({ brokers, timeoutMs }), retry: { retries: 0 } }).admin();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([admin.connect().then(() => admin.describeCluster()).then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}

/** End and low offsets of `topics` at `site`'s cluster, or null when it does not answer. */
async function watermarks(site: PlannedSite, topics: string[]): Promise<Record<string, { low: number; high: number }> | null> {
  const admin = new kafkajs.Kafka({ ...kafkajsConfig({ brokers: site.brokers, timeoutMs: 3000 }), retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    const out: Record<string, { low: number; high: number }> = {};
    for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) out[key(site.name, topic, p.partition)] = { low: Number(p.low), high: Number(p.high) };
    return out;
  } catch {
    return null;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The backlog of the MirrorMaker into site `to`, or null when a source cluster does not answer. */
export async function mirrorBacklog(paths: DeployPaths, plan: Plan, to: string): Promise<MirrorBacklog | null> {
  const sites = new Map((plan.sites ?? []).map((s) => [s.name, s]));
  const target = sites.get(to);
  const flows = (plan.mirrors ?? []).filter((m) => m.to === to);
  if (!target || flows.length === 0) return null;
  const cacheFile = join(paths.dir, `mirror-${to}.offsets.json`);
  let copied = await committed(plan, target, flows.map((f) => f.from));
  const exact = copied !== null;
  if (copied) writeJsonAtomic(cacheFile, copied);
  else copied = existsSync(cacheFile) ? (JSON.parse(readFileSync(cacheFile, 'utf8')) as Offsets) : {};
  let records = 0;
  for (const f of flows) {
    const marks = await watermarks(sites.get(f.from)!, f.topics);
    if (!marks) return null;
    for (const [k, m] of Object.entries(marks)) records += Math.max(0, m.high - Math.max(m.low, (copied[k] ?? -1) + 1));
  }
  return { records, exact };
}
