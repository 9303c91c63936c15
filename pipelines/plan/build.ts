// The plan phase end to end: placements, chains and topics, traffic, resolved sources and defaulted configs,
// as plain JSON. Pure: same topology in, same plan out.
import { dirname, isAbsolute, resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import type { AnyOperatorDefinition } from '../operator.js';
import type { SourceSpec, Topology } from '../topology/schema.js';
import type { Plan } from './types.js';
import { decidePlacements, type PlacementDecisions } from './place.js';
import { buildChainsAndTopics } from './chains.js';
import { operatorsByFlow } from './flow-graph.js';
import { allInCloudTraffic, placementSends, topicTraffic } from './traffic.js';
import { planAccess } from './access.js';
import { planSites, siteNodeBrokers } from './sites.js';

export interface PlanResult {
  plan: Plan;
  /** Candidates considered per operator, for --explain. */
  decisions: PlacementDecisions;
}

/** `file` is the topology file as named by the user; relative `file:` sources resolve against its folder. */
/** `offload`: extra replicas by flow id (see decidePlacements). */
export function buildPlan(t: Topology, operators: readonly AnyOperatorDefinition[], file: string, offload?: Record<string, string[]>): PlanResult {
  const defs = operatorsByFlow(t, operators);
  const decisions = decidePlacements(t, operators, offload);
  const { chains, topics } = buildChainsAndTopics(t, defs, decisions.placements);
  const configs: Plan['configs'] = {};
  for (const flow of t.flows) {
    const def = defs.get(flow.id);
    configs[flow.id] = def ? (Value.Default(def.config, structuredClone(flow.config)) as Record<string, unknown>) : flow.config;
  }
  const plan: Plan = {
    version: 1,
    topology: t.name,
    file,
    tiers: t.tiers,
    backbone: t.backbone,
    sources: t.sources.map((s) => resolveSource(s, dirname(resolve(file)))),
    placements: decisions.placements,
    chains,
    topics,
    links: topicTraffic(topics, decisions.placements, decisions.rates, decisions.bytes),
    allInCloud: allInCloudTraffic(t, defs),
    configs,
    inputs: Object.fromEntries(t.flows.map((f) => [f.id, f.inputs])),
  };
  const routed = t.nodes.filter((n) => n.brokers);
  if (routed.length > 0) plan.nodeBrokers = Object.fromEntries(routed.map((n) => [n.name, n.brokers!]));
  const sites = planSites(t, topics, decisions.placements, (p) => placementSends(decisions.rates, decisions.bytes, p.operator, p.node));
  if (sites) Object.assign(plan, { sites: sites.sites, mirrors: sites.mirrors, nodeBrokers: { ...plan.nodeBrokers, ...siteNodeBrokers(sites) } });
  plan.access = planAccess(plan);
  return { plan, decisions };
}

function resolveSource(s: SourceSpec, dir: string): SourceSpec {
  if (!s.url.startsWith('file:')) return s;
  const path = s.url.slice('file:'.length).replace(/^\/\//, '');
  return { ...s, url: `file:${isAbsolute(path) ? path : resolve(dir, path)}` };
}
