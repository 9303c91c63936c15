// A consumer group on the embedded backbone: its members, their partition assignment (range assignor), and its
// committed offsets, which outlive the members so a reopened consumer resumes where the group left off.
// Rebalances run one at a time; a member gives up a partition only after its in-flight batch finished, so a
// partition never has two owners delivering at once.
import { rangeAssign } from './assign.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface GroupMember {
  readonly id: string;
  readonly topics: string[];
  assigned(): TopicPartition[];
  /** Stops delivering these partitions, after any in-flight batch; calls the user's onRevoke. */
  revoke(parts: TopicPartition[]): Promise<void>;
  /** Starts delivering these partitions from the group's committed offsets; calls the user's onAssign. */
  assign(parts: TopicPartition[]): void;
}

export const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class ConsumerGroup {
  readonly committed = new Map<string, number>();
  /** Where each partition's retention may not pass: the commit, or where the group first started reading. */
  private readonly floors = new Map<string, number>();
  /** Topics the group has ever read: their records are kept until this group commits past them. */
  readonly topics = new Set<string>();
  private members: GroupMember[] = [];
  private rebalancing: Promise<void> = Promise.resolve();

  constructor(
    readonly id: string,
    private readonly partitionsOf: (topic: string) => number,
  ) {}

  join(member: GroupMember): Promise<void> {
    this.members.push(member);
    for (const t of member.topics) this.topics.add(t);
    return this.rebalance();
  }

  leave(member: GroupMember): Promise<void> {
    this.members = this.members.filter((m) => m !== member);
    return this.rebalance(member);
  }

  commit(topic: string, partition: number, next: number): void {
    const k = tpKey(topic, partition);
    this.committed.set(k, next);
    this.floors.set(k, next);
  }

  /** Records the first position the group reads a partition from, so retention keeps them. */
  startAt(topic: string, partition: number, offset: number): void {
    const k = tpKey(topic, partition);
    if (!this.floors.has(k)) this.floors.set(k, offset);
  }

  /** Lowest offset this group may still read in a partition; undefined: it has not started there yet. */
  floor(topic: string, partition: number): number | undefined {
    return this.floors.get(tpKey(topic, partition));
  }

  private rebalance(leaving?: GroupMember): Promise<void> {
    const run = async () => {
      if (leaving) await leaving.revoke(leaving.assigned());
      const partitions = new Map([...this.topics].map((t) => [t, this.partitionsOf(t)]));
      const target = rangeAssign(this.members, partitions);
      const wanted = (m: GroupMember) => new Set((target.get(m.id) ?? []).map((p) => tpKey(p.topic, p.partition)));
      await Promise.all(
        this.members.map((m) => {
          const keep = wanted(m);
          return m.revoke(m.assigned().filter((p) => !keep.has(tpKey(p.topic, p.partition))));
        }),
      );
      for (const m of this.members) {
        const have = new Set(m.assigned().map((p) => tpKey(p.topic, p.partition)));
        m.assign((target.get(m.id) ?? []).filter((p) => !have.has(tpKey(p.topic, p.partition))));
      }
    };
    this.rebalancing = this.rebalancing.then(run, run);
    return this.rebalancing;
  }
}
