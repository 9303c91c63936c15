// The plan: plain JSON that everything after `plan` reads (runtime, deploy, status). It is what
// `tierflow plan --json` prints, and it is snapshot-tested, so its shape changes only on purpose.
import type { BackboneSpec, DataClass, Priority, SourceSpec } from '../topology/schema.js';
import type { PlanAccess } from './access.js';
import type { PlannedMirror, PlannedSite } from './sites.js';

export interface Placement {
  /** Flow id of the operator instance. */
  operator: string;
  uses: string;
  node: string;
  tier: string;
  replicas: number;
  /** Sources handled here (source operators placed near their sources get one placement per node). */
  sources?: string[];
  /** One line: why the planner chose this node (for --explain). */
  reason: string;
  /** A replica added under load (migrate --add-replica-on, deploy --adaptive), beyond where the plan places it. */
  offloaded?: true;
}

export interface PlannedTopic {
  name: string;
  /**
   * 'stream': records between operators; 'results': events for consumers outside tierflow; 'changelog': a stateful
   * operator's state (compacted, one partition per input partition; producer and consumer are the operator itself);
   * 'table': a compacted topic written outside the flow at the central cluster that the operator follows
   * (OperatorDefinition.table; producer and consumer are the operator, as for a changelog).
   */
  kind: 'stream' | 'results' | 'changelog' | 'table';
  partitions: number;
  /** The stream the topic carries; for a changelog, the stream whose records the state is built from. */
  stream: string;
  dataClass: DataClass;
  /** Flow id of the producing operator. */
  producer: string;
  /** Flow ids of the consuming operators. */
  consumers: string[];
  /** Outermost tier among producer placements, and among consumer placements. */
  fromTier: string;
  toTier: string;
  compression: 'none' | 'lz4';
}

/** A run of co-located operators fused into one in-memory chain, run by one worker (per replica). */
export interface Chain {
  id: string;
  node: string;
  tier: string;
  /** Flow ids in processing order; the first consumes `inputTopic` (or reads `sources`). */
  operators: string[];
  replicas: number;
  inputTopic: string | null;
  /** Consumer group of this chain's replicas on `inputTopic`. */
  consumerGroup: string | null;
  sources: string[];
  /** Topics this chain produces to, by the flow id whose output goes there. */
  outputs: Array<{ operator: string; topic: string }>;
  priority: Priority;
  /** Changelog topics of the chain's stateful operators (absent when it has none). */
  changelogTopics?: string[];
  /** Table topics the chain's operators follow (absent when none does). */
  tableTopics?: string[];
}

export interface PlannedLink {
  from: string;
  to: string;
  bytesPerSecond: number;
}

export interface Plan {
  version: 1;
  topology: string;
  /** The file the plan came from, for messages. */
  file: string;
  tiers: string[];
  backbone: BackboneSpec;
  sources: SourceSpec[];
  placements: Placement[];
  chains: Chain[];
  topics: PlannedTopic[];
  links: PlannedLink[];
  /** Bytes/s across links if every operator ran in the outermost tier, for comparison. */
  allInCloud: { links: PlannedLink[]; bytesPerSecond: number };
  /** Flow configs after schema defaults, by flow id. */
  configs: Record<string, Record<string, unknown>>;
  /** Each flow's inputs (source names or flow ids), by flow id: how operators inside a chain are wired,
   *  fan-out included. Added after v1's first cut; always present in plans from buildPlan. */
  inputs?: Record<string, string[]>;
  /** Brokers by node, for the nodes whose workers reach Kafka by a route of their own (topology `nodes[].brokers`);
   *  absent when no node has one. */
  nodeBrokers?: Record<string, string[]>;
  /** Sites with clusters of their own (topology `sites`), the central one first; absent with one cluster. Every
   *  non-central site's nodes are in nodeBrokers with its brokers. */
  sites?: PlannedSite[];
  /** Topics MirrorMaker 2 carries between sites; present with sites. */
  mirrors?: PlannedMirror[];
  /** Least privilege on Kafka: per node its principal, the topics it uses by role and the ACLs derived from them
   *  (pipelines/plan/access.ts). Always present in plans from buildPlan; deploy applies it on an authorizing broker. */
  access?: PlanAccess;
  /** Modules (file URLs) of the user's own operators the topology uses: a worker loads them before it looks
   *  operators up. Absent when the topology uses only registered ones. */
  operatorModules?: string[];
}
