// What provisioning creates for a plan, in one place for `run`, every worker and `deploy`: the planned topics
// (changelogs and tables compacted), and a dead-letter topic beside each topic a chain consumes.
import type { Plan } from '../plan/types.js';
import type { TopicSpec } from '../backbone/contract.js';
import { dlqSpecFor } from '../backbone/dead-letter.js';

export function plannedTopicSpecs(plan: Pick<Plan, 'topics' | 'chains'>): TopicSpec[] {
  // State lives per partition of a stateful chain's input: those topics, and changelogs, have exactly their count.
  const stateful = new Set(plan.chains.filter((c) => (c.changelogTopics?.length ?? 0) > 0).map((c) => c.inputTopic));
  const topics: TopicSpec[] = plan.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions,
    compression: t.compression,
    maxRecordBytes: 8 << 20,
    ...(t.kind === 'changelog' || t.kind === 'table' ? { compacted: true } : {}),
    ...(t.kind === 'stream' && !stateful.has(t.name) ? { mayHaveMore: true } : {}),
  }));
  const consumed = new Set(plan.chains.map((c) => c.inputTopic));
  return [...topics, ...topics.filter((t) => consumed.has(t.name)).map(dlqSpecFor)];
}
