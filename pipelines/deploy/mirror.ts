// MirrorMaker 2 in dedicated mode (org.apache.kafka.connect.mirror.MirrorMaker), configured from the plan: one
// process per cluster that topics are mirrored into, running beside that cluster and consuming across the WAN
// ("remote consume, local produce", as Kafka's documentation advises). That placement is what survives a WAN outage:
// a dedicated MirrorMaker coordinates its workers, task configs and source offsets in its target cluster, so one
// that had to reach its target across a cut link would be fenced and stop its task; beside the target it only loses
// its source, and its consumer resumes where it was when the link returns. Topics keep their names
// (IdentityReplicationPolicy): the plan has already refused any topic a site would both receive and send, which is
// what lets that policy run without loops. Used by the local deploy, the k8s manifests and the compose file.
import type { Plan } from '../plan/types.js';
import type { PlannedMirror, PlannedSite } from '../plan/sites.js';

export interface MirrorProcess {
  /** The site the process runs at, the one its flows go to; it names the process. */
  site: string;
  /** Where it consumes from, across the WAN: the source clusters' addresses as seen from `site`. */
  remote: string[];
  /** Its flows: from one cluster alias to another, with the topics each carries. */
  flows: PlannedMirror[];
  /** mm2.properties, as MirrorMaker reads it. */
  properties: string;
}

/** How `alias`'s cluster is reached from `at`: across the WAN between a site and the central cluster, by the
 *  address the topology gives for that direction; otherwise by its own brokers. */
function reach(alias: PlannedSite, at: PlannedSite): string[] {
  if (alias.name === at.name) return alias.brokers;
  if (at.central) return alias.wanBrokers ?? alias.brokers;
  if (alias.central) return at.centralBrokers ?? alias.brokers;
  return alias.brokers;
}

/** Escapes a topic name as a Java regex inside a .properties value (where a backslash is itself escaped). */
const topicPattern = (topic: string) => topic.replace(/[.\\+*?^$()[\]{}|-]/g, (c) => `\\\\${c}`);

/** One MirrorMaker 2 process per site that topics are mirrored into, run with `--clusters <that site>`. */
export function mirrorProcesses(plan: Plan, opts: { replicationFactor?: number } = {}): MirrorProcess[] {
  const sites = plan.sites ?? [];
  const byTarget = new Map<string, PlannedMirror[]>();
  for (const m of plan.mirrors ?? []) byTarget.set(m.to, [...(byTarget.get(m.to) ?? []), m]);
  const rf = opts.replicationFactor ?? 1;
  const site = (name: string) => sites.find((s) => s.name === name)!;
  return [...byTarget].map(([name, flows]) => {
    const at = site(name);
    const clusters = [name, ...new Set(flows.map((f) => f.from))];
    const bootstrap = new Map(clusters.map((c) => [c, reach(site(c), at)]));
    const lines = [
      `# MirrorMaker 2 into site ${name} of topology ${plan.topology}, derived from its plan by tierflow: do not edit.`,
      `# Run beside ${name}'s cluster: connect-mirror-maker.sh this-file --clusters ${name}`,
      `clusters = ${clusters.join(', ')}`,
      ...clusters.map((c) => `${c}.bootstrap.servers = ${bootstrap.get(c)!.join(',')}`),
      // Only committed records cross: a worker's aborted transaction never reaches another site.
      ...clusters.map((c) => `${c}.consumer.isolation.level = read_committed`),
      `${name}.producer.max.request.size = 16777216`,
      // Records and MirrorMaker's source offsets are written in one transaction to the cluster they cross to (KIP-618,
      // dedicated mode since Kafka 3.5): a MirrorMaker that restarts, or rejoins after the WAN was down, resends nothing.
      `${name}.exactly.once.source.support = enabled`,
      'replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
      ...flows.flatMap((f) => [`${f.from}->${f.to}.enabled = true`, `${f.from}->${f.to}.topics = ${f.topics.map(topicPattern).join(', ')}`]),
      // Consumer offsets stay per site: each site's groups read their own cluster. Without heartbeats, MirrorMaker
      // runs no connector for the pairs of clusters that have no flow.
      'emit.checkpoints.enabled = false',
      'emit.heartbeats.enabled = false',
      'sync.group.offsets.enabled = false',
      // The plan provisions topics and ACLs per site; MirrorMaker only carries records.
      'sync.topic.acls.enabled = false',
      'sync.topic.configs.enabled = false',
      // Offset syncs (for checkpoints, which are off) stay beside MirrorMaker, not across the WAN in the source.
      'offset-syncs.topic.location = target',
      'refresh.topics.interval.seconds = 5',
      'tasks.max = 1',
      `replication.factor = ${rf}`,
      ...['checkpoints', 'heartbeats', 'offset-syncs'].map((t) => `${t}.topic.replication.factor = ${rf}`),
      ...['config', 'offset', 'status'].map((t) => `${t}.storage.replication.factor = ${rf}`),
      // Its source offsets in one partition: what status reads to tell the backlog (local/mirror-backlog.ts).
      'offset.storage.partitions = 1',
      '',
    ];
    return { site: name, remote: clusters.slice(1).flatMap((c) => bootstrap.get(c)!), flows, properties: lines.join('\n') };
  });
}

/** The broker's own version (infra/kafka/pom.xml): MirrorMaker 2 is run from the same release, in k8s and compose. */
export const KAFKA_IMAGE = 'apache/kafka:3.9.1';
/** Dedicated-mode MirrorMaker 2 in that image. */
export const MIRROR_MAKER_SCRIPT = '/opt/kafka/bin/connect-mirror-maker.sh';

/** The Java class dedicated-mode MirrorMaker 2 runs as. */
export const MIRROR_MAKER_CLASS = 'org.apache.kafka.connect.mirror.MirrorMaker';
