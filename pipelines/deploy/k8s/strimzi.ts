// Least privilege on Kubernetes through Strimzi: one KafkaUser per node (SCRAM-SHA-512, simple authorization with
// the plan's ACLs) and one KafkaTopic per planned topic and dead-letter topic, since node users may not create
// topics. Strimzi's User Operator generates each user's password into a Secret named after the user, inside the
// cluster: no secret is ever in these files or in git, and deleting the KafkaUser removes the user and its ACLs.
// Pure.
import type { Plan } from '../../plan/types.js';
import type { AclEntry, AclOperation } from '../../plan/access.js';
import { deadLetterTopicName } from '../../plan/names.js';

export const STRIMZI_API = 'kafka.strimzi.io/v1beta2';
/** Where a node's user Secret (files `password`, `sasl.jaas.config`) is mounted; the worker's --credential. */
export const KAFKA_USER_DIR = '/etc/tierflow-kafka-user';

type StrimziOperation = 'Read' | 'Write' | 'Create' | 'Describe' | 'DescribeConfigs' | 'Alter';
const OPERATION: Record<AclOperation, StrimziOperation> = {
  read: 'Read',
  write: 'Write',
  create: 'Create',
  describe: 'Describe',
  'describe-configs': 'DescribeConfigs',
  alter: 'Alter',
};

export interface StrimziAcl {
  resource: { type: 'topic' | 'group' | 'cluster'; name?: string; patternType?: 'literal' | 'prefix' };
  operations: StrimziOperation[];
  host: '*';
}

export interface KafkaUser {
  apiVersion: typeof STRIMZI_API;
  kind: 'KafkaUser';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { authentication: { type: 'scram-sha-512' }; authorization: { type: 'simple'; acls: StrimziAcl[] } };
}

export interface KafkaTopic {
  apiVersion: typeof STRIMZI_API;
  kind: 'KafkaTopic';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { topicName: string; partitions: number; replicas?: number; config: Record<string, string> };
}

export function strimziAcls(entries: AclEntry[]): StrimziAcl[] {
  return entries.map((e) => ({
    resource: e.resource === 'cluster' ? { type: 'cluster' } : { type: e.resource, name: e.name, patternType: e.pattern === 'prefixed' ? 'prefix' : 'literal' },
    operations: e.operations.map((o) => OPERATION[o]),
    host: '*',
  }));
}

/** The KafkaUser of each node; its name is the node's derived user name, so the principal is `User:<name>`. */
export function kafkaUsers(plan: Plan, namespace: string, cluster: string): KafkaUser[] {
  return (plan.access?.nodes ?? []).map((n) => ({
    apiVersion: STRIMZI_API,
    kind: 'KafkaUser',
    metadata: { name: n.username, namespace, labels: { 'strimzi.io/cluster': cluster, 'app.kubernetes.io/part-of': plan.topology, 'tierflow.dev/node': n.node } },
    spec: { authentication: { type: 'scram-sha-512' }, authorization: { type: 'simple', acls: strimziAcls(n.acls) } },
  }));
}

/** Every planned topic and the dead-letter topic of each consumed one, as Strimzi creates them. */
export function kafkaTopics(plan: Plan, namespace: string, cluster: string): KafkaTopic[] {
  const consumed = new Set(plan.chains.flatMap((c) => (c.inputTopic ? [c.inputTopic] : [])));
  const specs = [
    ...plan.topics.map((t) => ({ name: t.name, partitions: t.partitions, compacted: t.kind === 'changelog' || t.kind === 'table' })),
    ...plan.topics.filter((t) => consumed.has(t.name)).map((t) => ({ name: deadLetterTopicName(t.name), partitions: 1, compacted: false })),
  ];
  return specs.map((t) => ({
    apiVersion: STRIMZI_API,
    kind: 'KafkaTopic',
    metadata: { name: t.name, namespace, labels: { 'strimzi.io/cluster': cluster, 'app.kubernetes.io/part-of': plan.topology } },
    // 8 MB records and batching room, as the workers provision elsewhere (backbone/kafka/admin.ts).
    // Changelogs are compacted: a worker refuses one that is not (backbone/kafka/admin.ts).
    spec: { topicName: t.name, partitions: t.partitions, config: { 'max.message.bytes': String((8 << 20) + (64 << 10)), ...(t.compacted ? { 'cleanup.policy': 'compact' } : {}) } },
  }));
}
