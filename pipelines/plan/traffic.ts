// Bytes per second between nodes: what each topic carries from its producer's placements to its consumers'
// (shared by consumer replicas), and the same flow if every operator ran on one node of the outermost tier.
import type { AnyOperatorDefinition } from '../operator.js';
import type { Topology } from '../topology/schema.js';
import type { Placement, PlannedLink, PlannedTopic } from './types.js';
import { KAFKA_BYTES_PER_RECORD, recordBytes } from './record-bytes.js';

/** What one placement of `operator` on `node` sends on its output topic, bytes/s with Kafka's framing. */
export function placementSends(rates: Record<string, Record<string, number>>, bytes: Record<string, Record<string, number>>, operator: string, node: string): number {
  return (bytes[operator]?.[node] ?? 0) + (rates[operator]?.[node] ?? 0) * KAFKA_BYTES_PER_RECORD;
}

/** `rates` and `bytes`: what each placement emits, records/s and bytes/s, by operator then node (PlacementDecisions). */
export function topicTraffic(
  topics: PlannedTopic[],
  placements: Placement[],
  rates: Record<string, Record<string, number>>,
  bytes: Record<string, Record<string, number>>,
): PlannedLink[] {
  const links = new Map<string, PlannedLink>();
  const add = (from: string, to: string, bytes: number) => {
    if (from === to || bytes <= 0) return;
    const key = `${from}\u0000${to}`;
    const link = links.get(key) ?? { from, to, bytesPerSecond: 0 };
    link.bytesPerSecond += bytes;
    links.set(key, link);
  };
  for (const topic of topics) {
    for (const consumer of topic.consumers) {
      const targets = placements.filter((p) => p.operator === consumer);
      const replicas = targets.reduce((s, p) => s + p.replicas, 0);
      for (const from of placements.filter((p) => p.operator === topic.producer)) {
        const sent = placementSends(rates, bytes, topic.producer, from.node);
        for (const to of targets) add(from.node, to.node, (sent * to.replicas) / replicas);
      }
    }
  }
  return sortLinks([...links.values()]);
}

/** Every camera's frames shipped to the first node of the outermost tier that has nodes. */
export function allInCloudTraffic(t: Topology, defs: Map<string, AnyOperatorDefinition>): { links: PlannedLink[]; bytesPerSecond: number } {
  const target = [...t.tiers].reverse().map((tier) => t.nodes.filter((n) => n.tier === tier).map((n) => n.name).sort()[0]).find((n) => n !== undefined);
  const links = new Map<string, PlannedLink>();
  const sources = new Map(t.sources.map((s) => [s.name, s]));
  for (const flow of t.flows) {
    const def = defs.get(flow.id);
    if (!def || def.input !== null) continue;
    for (const name of flow.inputs) {
      const src = sources.get(name);
      if (!src || !target || src.node === target) continue;
      const link = links.get(src.node) ?? { from: src.node, to: target, bytesPerSecond: 0 };
      link.bytesPerSecond += src.fps * recordBytes(def, flow, src);
      links.set(src.node, link);
    }
  }
  const list = sortLinks([...links.values()]);
  return { links: list, bytesPerSecond: Math.round(list.reduce((s, l) => s + l.bytesPerSecond, 0)) };
}

function sortLinks(links: PlannedLink[]): PlannedLink[] {
  return links
    .map((l) => ({ ...l, bytesPerSecond: Math.round(l.bytesPerSecond) }))
    .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}
