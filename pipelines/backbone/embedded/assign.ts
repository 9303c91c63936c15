// Kafka's range assignor, per topic: members sorted by id, partitions split into contiguous ranges, the first
// (partitions % members) members get one extra. Pure, so rebalancing is tested without a group.

export interface MemberSubscription {
  id: string;
  topics: string[];
}

export type Assignment = Map<string, Array<{ topic: string; partition: number }>>;

export function rangeAssign(members: MemberSubscription[], partitionsByTopic: Map<string, number>): Assignment {
  const out: Assignment = new Map(members.map((m) => [m.id, []]));
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const count = partitionsByTopic.get(topic) ?? 0;
    const subscribers = members.filter((m) => m.topics.includes(topic)).map((m) => m.id).sort();
    if (subscribers.length === 0) continue;
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    let next = 0;
    subscribers.forEach((id, i) => {
      const n = per + (i < extra ? 1 : 0);
      for (let p = next; p < next + n; p++) out.get(id)!.push({ topic, partition: p });
      next += n;
    });
  }
  return out;
}
