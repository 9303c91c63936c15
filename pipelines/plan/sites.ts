// Sites in the plan: which cluster each node's workers use, and which topics MirrorMaker 2 carries between sites.
// A topic is mirrored from every site that produces it to every other site that consumes it, under its own name
// (IdentityReplicationPolicy), so a consumer reads one topic wherever its records were produced. That is safe only
// when no site both sends and receives a topic: a site that received a topic and mirrored it on would send the
// records again (a loop, or a duplicate path), so the plan refuses it.
import { DEFAULT_CENTRAL_SITE, type Topology } from '../topology/schema.js';
import type { Placement, PlannedTopic } from './types.js';
import { PlanInfeasibleError } from './infeasible.js';
import { policyLimits } from './policy.js';

export interface PlannedSite {
  name: string;
  /** The site's own cluster. */
  brokers: string[];
  nodes: string[];
  /** The backbone's cluster: the site every node no other site lists belongs to. */
  central?: true;
  /** This site's cluster as the central side reaches it across the WAN; absent: `brokers`. */
  wanBrokers?: string[];
  /** The central cluster as this site reaches it across the WAN; absent: the central brokers. */
  centralBrokers?: string[];
}

export interface PlannedMirror {
  from: string;
  to: string;
  topics: string[];
  /** What crosses the WAN for it, estimated: each topic's records once (MirrorMaker copies a topic once per site,
   *  however many consumers read it there), with Kafka's framing, and MirrorMaker's own traffic. */
  bytesPerSecond: number;
}

/**
 * What a MirrorMaker 2 flow sends across the WAN with no records to carry: its consumer's fetches, which the source
 * cluster holds for up to 500 ms when it has nothing, and the topic list it reads every 5 s (mirror.ts). Measured on
 * the placement bench's WAN proxies, a flow carrying 0.5 events/s: ~600 B/s beyond its records.
 */
export const MIRROR_BYTES_PER_SECOND = 600;

export interface SitePlan {
  sites: PlannedSite[];
  mirrors: PlannedMirror[];
}

/** Null when the topology has no sites (one cluster, the plan's shape as before). `sent`: what a placement of the
 *  operator sends on its output topic, bytes/s with Kafka's framing (0 when unknown). */
export function planSites(t: Topology, topics: PlannedTopic[], placements: Placement[], sent: (p: Placement) => number = () => 0): SitePlan | null {
  if (!t.sites || t.backbone.type !== 'kafka') return null;
  const listed = new Set(t.sites.flatMap((s) => s.nodes));
  const central: PlannedSite = {
    name: t.backbone.site ?? DEFAULT_CENTRAL_SITE,
    brokers: t.backbone.brokers,
    nodes: t.nodes.map((n) => n.name).filter((n) => !listed.has(n)),
    central: true,
  };
  const sites: PlannedSite[] = [central, ...t.sites.map((s) => ({ name: s.name, brokers: s.brokers, nodes: s.nodes, ...(s.wanBrokers ? { wanBrokers: s.wanBrokers } : {}), ...(s.centralBrokers ? { centralBrokers: s.centralBrokers } : {}) }))];
  const siteOf = new Map(sites.flatMap((s) => s.nodes.map((n) => [n, s] as const)));
  const sitesOf = (flow: string) => [...new Set(placements.filter((p) => p.operator === flow).map((p) => siteOf.get(p.node)!))];

  const mirrors = new Map<string, PlannedMirror>();
  const add = (f: PlannedSite, s: PlannedSite, topic: string) => {
    const key = `${f.name}>${s.name}`;
    const m = mirrors.get(key) ?? { from: f.name, to: s.name, topics: [], bytesPerSecond: 0 };
    m.topics.push(topic);
    mirrors.set(key, m);
  };
  for (const topic of topics) {
    // A table is written at the central cluster and travels down to every site its operator runs in; nothing
    // goes back up, so it never loops. It is what a site may hold (the user writes it; embeddings and names only).
    if (topic.kind === 'table') {
      for (const s of sitesOf(topic.producer)) if (!s.central) add(central, s, topic.name);
      continue;
    }
    const from = sitesOf(topic.producer);
    const to = [...new Set(topic.consumers.flatMap(sitesOf))];
    const crossing = from.flatMap((f) => to.filter((s) => s !== f).map((s) => [f, s] as const));
    if (crossing.length === 0) continue;
    const receivers = new Set(crossing.map(([, s]) => s.name));
    const relay = from.find((s) => receivers.has(s.name));
    if (relay) {
      throw new PlanInfeasibleError(
        topic.producer,
        `topic ${topic.name} would be mirrored into site ${relay.name} and out of it again, a loop: place '${topic.producer}' in one site, or its consumers beside it`,
      );
    }
    for (const [f, s] of crossing) {
      refuseLeaving(t, topic, f, s);
      add(f, s, topic.name);
    }
  }
  for (const m of mirrors.values()) {
    const from = sites.find((x) => x.name === m.from)!;
    const records = m.topics.reduce((sum, name) => {
      const topic = topics.find((x) => x.name === name);
      // A table is written outside the plan: only MirrorMaker's own traffic is known.
      if (!topic || topic.kind === 'table') return sum;
      return sum + placements.filter((p) => p.operator === topic.producer && siteOf.get(p.node) === from).reduce((n, p) => n + sent(p), 0);
    }, 0);
    m.bytesPerSecond = Math.round(records + MIRROR_BYTES_PER_SECOND);
  }
  return { sites, mirrors: [...mirrors.values()] };
}

/**
 * A data class whose outermost tier is no further out than the site's own nodes stays at the site: it may not go
 * out, nor sideways to another site at its tier. Going in, towards the sources (the cloud's answers back to a shop),
 * never takes data past its tier.
 */
function refuseLeaving(t: Topology, topic: PlannedTopic, from: PlannedSite, to: PlannedSite): void {
  const tierOf = new Map(t.nodes.map((n) => [n.name, t.tiers.indexOf(n.tier)]));
  const outermost = (site: PlannedSite) => Math.max(...site.nodes.map((n) => tierOf.get(n) ?? -1));
  if (outermost(to) < outermost(from)) return;
  const limit = policyLimits(t)[topic.dataClass];
  if (limit.tierIndex > outermost(from)) return;
  const consumer = topic.consumers.find(Boolean) ?? topic.producer;
  throw new PlanInfeasibleError(
    consumer,
    `${topic.dataClass} topic ${topic.name} may not leave site ${from.name} (policies.${topic.dataClass}: ${limit.tier}, the site reaches ${t.tiers[outermost(from)]}), but '${consumer}' reads it in site ${to.name}`,
  );
}

/** Brokers by node for every node outside the central site: its workers use their own site's cluster. */
export function siteNodeBrokers(sites: SitePlan): Record<string, string[]> {
  return Object.fromEntries(sites.sites.filter((s) => !s.central).flatMap((s) => s.nodes.map((n) => [n, s.brokers])));
}
