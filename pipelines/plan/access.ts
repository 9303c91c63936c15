// Least privilege on the backbone, derived from the plan: every node gets its own Kafka principal and exactly the
// ACLs its chains need. A node's topics are listed by role first (`nodeTopicUses`), and the ACLs come from that
// list alone, so a new kind of topic (changelogs, say) is covered by adding it to the list, not by new ACL code.
// Pure: the same plan gives the same principals and ACLs.
import type { Chain, Plan } from './types.js';
import { deadLetterTopicName, principalName, restoreGroupName } from './names.js';

/** Why a node touches a topic. `changelog`: a state store's changelog, written while running, read on restore.
 *  `table`: a table an operator follows (read whole, then followed), written by the user with the provisioner's principal. */
export type TopicRole = 'produce' | 'consume' | 'dead-letter' | 'changelog' | 'table';

export interface TopicUse {
  topic: string;
  role: TopicRole;
  /** Chain ids of this node that use the topic so. */
  chains: string[];
}

export type AclResource = 'topic' | 'group' | 'cluster';
/** Kafka ACL operations tierflow grants (Kafka's own names, lower case). */
export type AclOperation = 'read' | 'write' | 'describe' | 'create' | 'describe-configs' | 'alter';

export interface AclEntry {
  resource: AclResource;
  /** Topic or group name; `kafka-cluster` for the cluster. */
  name: string;
  pattern: 'literal' | 'prefixed';
  operations: AclOperation[];
}

export interface NodeAccess {
  node: string;
  /** SASL user name; the Kafka principal is `User:<username>`. */
  username: string;
  principal: string;
  topics: TopicUse[];
  /** Consumer groups the node's chains join. */
  groups: string[];
  acls: AclEntry[];
}

export interface PlanAccess {
  nodes: NodeAccess[];
  /** What the principal that deploys needs (the topology's backbone.security user): it creates the topics, the
   *  node credentials and their ACLs. Nodes never create or describe configs; they only use what exists. */
  provisioner: { acls: AclEntry[] };
}

/** What each role lets a node do on the topic. DESCRIBE is implied by READ and WRITE in Kafka; it is listed so
 *  the ACL set reads the same on every broker (Redpanda implies it too). */
export const ROLE_OPERATIONS: Record<TopicRole, AclOperation[]> = {
  produce: ['write', 'describe'],
  'dead-letter': ['write', 'describe'],
  consume: ['read', 'describe'],
  changelog: ['read', 'write', 'describe'],
  table: ['read', 'describe'],
};

/** The topics a chain uses, by role. Changelog topics join here (one line) once chains carry them. */
export function chainTopicUses(chain: Chain): Array<{ topic: string; role: TopicRole }> {
  const uses: Array<{ topic: string; role: TopicRole }> = chain.outputs.map((o) => ({ topic: o.topic, role: 'produce' as const }));
  if (chain.inputTopic) {
    uses.push({ topic: chain.inputTopic, role: 'consume' }, { topic: deadLetterTopicName(chain.inputTopic), role: 'dead-letter' });
  }
  for (const topic of chain.changelogTopics ?? []) uses.push({ topic, role: 'changelog' });
  for (const topic of chain.tableTopics ?? []) uses.push({ topic, role: 'table' });
  return uses;
}

/** Every topic the node's chains use, merged per topic and role, sorted by topic. */
export function nodeTopicUses(plan: Omit<Plan, 'access'>, node: string): TopicUse[] {
  const byKey = new Map<string, TopicUse>();
  for (const chain of plan.chains.filter((c) => c.node === node)) {
    for (const u of chainTopicUses(chain)) {
      const key = `${u.topic}\0${u.role}`;
      const have = byKey.get(key);
      if (have) {
        if (!have.chains.includes(chain.id)) have.chains.push(chain.id);
      } else byKey.set(key, { topic: u.topic, role: u.role, chains: [chain.id] });
    }
  }
  return [...byKey.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.role.localeCompare(b.role));
}

const OPERATION_ORDER: AclOperation[] = ['read', 'write', 'create', 'describe', 'describe-configs', 'alter'];

/** Literal ACLs for a node: one entry per topic with the union of its roles' operations, READ on each group. */
export function aclsFor(topics: TopicUse[], groups: string[]): AclEntry[] {
  const ops = new Map<string, Set<AclOperation>>();
  for (const u of topics) {
    const set = ops.get(u.topic) ?? new Set<AclOperation>();
    for (const op of ROLE_OPERATIONS[u.role]) set.add(op);
    ops.set(u.topic, set);
  }
  const sorted = (s: Set<AclOperation>) => OPERATION_ORDER.filter((o) => s.has(o));
  return [
    ...[...ops].sort(([a], [b]) => a.localeCompare(b)).map(([name, set]) => ({ resource: 'topic' as const, name, pattern: 'literal' as const, operations: sorted(set) })),
    ...groups.map((name) => ({ resource: 'group' as const, name, pattern: 'literal' as const, operations: ['read' as const] })),
  ];
}

export function planAccess(plan: Omit<Plan, 'access'>): PlanAccess {
  const nodes = [...new Set(plan.chains.map((c) => c.node))].map((node): NodeAccess => {
    const topics = nodeTopicUses(plan, node);
    const joined = plan.chains.filter((c) => c.node === node && c.consumerGroup).map((c) => c.consumerGroup!);
    // A changelog's restore reader carries a group id of its own (it never joins): READ on it is checked too. A
    // table is read by the same reader.
    const restoring = topics.filter((u) => u.role === 'changelog' || u.role === 'table').map((u) => restoreGroupName(u.topic));
    const groups = [...new Set([...joined, ...restoring])].sort();
    const username = principalName(plan.topology, node);
    return { node, username, principal: `User:${username}`, topics, groups, acls: aclsFor(topics, groups) };
  });
  const prefix = `tierflow.${plan.topology}.`;
  return {
    nodes,
    provisioner: {
      acls: [
        { resource: 'topic', name: prefix, pattern: 'prefixed', operations: ['create', 'describe', 'describe-configs'] },
        // ALTER on the cluster: CreateAcls/DeleteAcls and AlterUserScramCredentials (KIP-554) need it.
        { resource: 'cluster', name: 'kafka-cluster', pattern: 'literal', operations: ['describe', 'alter'] },
        // The tables operators follow are written by the user (`tierflow enroll --live`) as this principal.
        ...plan.topics.filter((t) => t.kind === 'table').map((t) => ({ resource: 'topic' as const, name: t.name, pattern: 'literal' as const, operations: ['write' as const, 'describe' as const] })),
      ],
    },
  };
}
