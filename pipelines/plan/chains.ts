// Chaining, like Flink's: an operator whose only input is an operator placed on exactly the same nodes with
// the same replicas runs in that operator's worker and receives records in memory. Everywhere else the data
// goes through a topic: across a node boundary or where parallelism changes.
import { followsTable, type AnyOperatorDefinition } from '../operator.js';
import type { Priority, Topology } from '../topology/schema.js';
import type { Chain, Placement, PlannedTopic } from './types.js';
import { changelogTopicName, consumerGroupName, publishedTopicName, topicName } from './names.js';
import { consumersOf, topologicalFlows } from './flow-graph.js';

const PRIORITY_RANK: Record<Priority, number> = { low: 0, normal: 1, high: 2 };

/**
 * Input topics of chains with stateful operators get at least this many partitions. State lives per input
 * partition, and a key's partition changes when a topic grows, so such a topic never grows: its partitions are the
 * chain's most replicas (`scale` refuses more), and this leaves room to scale out without repartitioning.
 */
export const STATEFUL_PARTITIONS = 4;

/** The flow id whose chain `id` joins, or undefined when `id` heads its own chain. */
export function fusedInto(t: Topology, id: string, placements: Placement[]): string | undefined {
  const flow = t.flows.find((f) => f.id === id);
  const up = flow?.inputs.length === 1 ? flow.inputs[0] : undefined;
  if (up === undefined || !t.flows.some((f) => f.id === up)) return undefined;
  return signature(placements, up) === signature(placements, id) ? up : undefined;
}

function signature(placements: Placement[], id: string): string {
  return placements.filter((p) => p.operator === id).map((p) => `${p.node}x${p.replicas}`).sort().join(',');
}

export function buildChainsAndTopics(t: Topology, defs: Map<string, AnyOperatorDefinition>, placements: Placement[]): { chains: Chain[]; topics: PlannedTopic[] } {
  const order = topologicalFlows(t);
  const headOf = new Map<string, string>();
  for (const flow of order) headOf.set(flow.id, headOf.get(fusedInto(t, flow.id, placements) ?? '') ?? flow.id);
  const placementsOf = (id: string) => placements.filter((p) => p.operator === id);
  const outermost = (ps: Placement[]) => ps.reduce((best, p) => (t.tiers.indexOf(p.tier) > t.tiers.indexOf(best) ? p.tier : best), ps[0]?.tier ?? '');

  const topics: PlannedTopic[] = [];
  const inputTopicOf = new Map<string, string>();
  for (const flow of order) {
    const def = defs.get(flow.id);
    if (!def) continue;
    if (def.output !== null) {
      const consumers = consumersOf(t, flow.id).filter((c) => headOf.get(c.id) === c.id);
      if (consumers.length === 0) continue;
      const name = topicName(t.name, flow.id, def.output.name);
      for (const c of consumers) inputTopicOf.set(c.id, name);
      const consumerPlacements = consumers.flatMap((c) => placementsOf(c.id));
      const parallelism = Math.max(1, ...consumers.map((c) => placementsOf(c.id).reduce((s, p) => s + p.replicas, 0)));
      const stateful = consumers.some((c) => order.some((f) => headOf.get(f.id) === c.id && defs.get(f.id)?.state));
      topics.push({
        name,
        kind: 'stream',
        partitions: stateful ? Math.max(parallelism, STATEFUL_PARTITIONS) : parallelism,
        stream: def.output.name,
        dataClass: def.output.dataClass,
        producer: flow.id,
        consumers: consumers.map((c) => c.id),
        fromTier: outermost(placementsOf(flow.id)),
        toTier: outermost(consumerPlacements),
        compression: def.output.compression ?? 'lz4',
      });
    } else if (def.publishes && def.input !== null) {
      const tier = outermost(placementsOf(flow.id));
      topics.push({ name: publishedTopicName(t.name, def.publishes.topic), kind: 'results', partitions: 1, stream: def.input.name, dataClass: def.input.dataClass, producer: flow.id, consumers: [], fromTier: tier, toTier: tier, compression: def.input.compression ?? 'lz4' });
    }
  }

  // A stateful operator in a chain that reads a topic keeps its state in a changelog partitioned like that topic.
  // (A chain fed by sources has no replayable input: its operators' state lives in the process only.)
  for (const flow of order) {
    const def = defs.get(flow.id);
    const input = inputTopicOf.get(headOf.get(flow.id) ?? '');
    const inputTopic = topics.find((tp) => tp.name === input);
    if (!def?.state || def.input === null || !inputTopic) continue;
    topics.push(ownTopic(flow.id, def.input, changelogTopicName(t.name, flow.id), 'changelog', inputTopic.partitions));
  }

  // An operator following a table reads a compacted topic the user writes from outside the flow; one partition, as
  // every replica reads all of it.
  for (const flow of order) {
    const def = defs.get(flow.id);
    if (!def?.table || def.input === null || !followsTable(def, flow.config)) continue;
    topics.push(ownTopic(flow.id, def.input, publishedTopicName(t.name, def.table.topic), 'table', 1));
  }

  const chains: Chain[] = [];
  for (const flow of order) {
    if (headOf.get(flow.id) !== flow.id) continue;
    const members = order.filter((f) => headOf.get(f.id) === flow.id);
    const heads = placementsOf(flow.id);
    // A chain placed on one node keeps its flow's id when replicas are added under load, so its worker (and the
    // metrics and status that name the chain) carry on untouched; the added ones are named by their node.
    const planned = heads.filter((h) => !h.offloaded);
    const idOf = (head: Placement) => (planned.length === 1 && !head.offloaded ? flow.id : heads.length > 1 ? `${flow.id}.${head.node}` : flow.id);
    for (const head of heads) {
      const inputTopic = inputTopicOf.get(flow.id) ?? null;
      const outputs = members.flatMap((m) => topics.filter((tp) => tp.producer === m.id && tp.kind !== 'changelog' && tp.kind !== 'table').map((tp) => ({ operator: m.id, topic: tp.name })));
      chains.push({
        id: idOf(head),
        node: head.node,
        tier: head.tier,
        operators: members.map((m) => m.id),
        replicas: head.replicas,
        inputTopic,
        consumerGroup: inputTopic === null ? null : consumerGroupName(t.name, flow.id),
        sources: head.sources ?? [],
        outputs,
        priority: members.reduce<Priority>((p, m) => (PRIORITY_RANK[m.priority] > PRIORITY_RANK[p] ? m.priority : p), 'low'),
        ...nonEmpty('changelogTopics', ownTopicsOf('changelog', members.map((m) => m.id))),
        ...nonEmpty('tableTopics', ownTopicsOf('table', members.map((m) => m.id))),
      });
    }
  }
  return { chains, topics };

  /** A topic an operator keeps for itself (a changelog, a table): it is producer and consumer, at its own tier. */
  function ownTopic(id: string, input: NonNullable<AnyOperatorDefinition['input']>, name: string, kind: 'changelog' | 'table', partitions: number): PlannedTopic {
    const tier = outermost(placementsOf(id));
    return { name, kind, partitions, stream: input.name, dataClass: input.dataClass, producer: id, consumers: [id], fromTier: tier, toTier: tier, compression: 'lz4' };
  }

  /** The changelogs (or tables) of a chain's operators: its node writes changelogs and reads both back. */
  function ownTopicsOf(kind: 'changelog' | 'table', operators: string[]): string[] {
    return topics.filter((tp) => tp.kind === kind && operators.includes(tp.producer)).map((tp) => tp.name);
  }
}

/** Frames and crops are JPEG already; compressing them again costs CPU for nothing. */

/** `{ [key]: names }`, or nothing when there are none: a chain without changelogs has no such key. */
function nonEmpty<K extends string>(key: K, names: string[]): Partial<Record<K, string[]>> {
  return names.length ? ({ [key]: names } as Record<K, string[]>) : {};
}
