// The plan for a person: operator -> node, tier, replicas; the topics; bytes/s per link against running
// everything in the outermost tier.
import type { Plan } from '../types.js';
import { formatRate } from '../cost.js';
import { columns } from './columns.js';
import { renderAccessTable } from './access.js';

export function renderPlanTable(plan: Plan): string {
  const chainOf = (op: string, node: string) => plan.chains.find((c) => c.node === node && c.operators.includes(op))?.id ?? '';
  const placements = columns([
    ['OPERATOR', 'USES', 'NODE', 'TIER', 'REPLICAS', 'CHAIN'],
    ...plan.placements.map((p) => [p.operator, p.uses, p.node, p.tier, String(p.replicas), chainOf(p.operator, p.node)]),
  ], '  ');
  const topics = plan.topics.length === 0
    ? '  (none: every operator runs in one chain)'
    : columns([
        ['TOPIC', 'KIND', 'CLASS', 'PARTITIONS', 'FROM -> TO', 'TIERS'],
        ...plan.topics.map((t) => [t.name, t.kind === 'changelog' ? 'changelog (compacted)' : t.kind === 'table' ? 'table (compacted)' : t.kind, t.dataClass, String(t.partitions), t.kind === 'changelog' ? `${t.producer}'s state` : t.kind === 'table' ? `(outside tierflow) -> ${t.producer}` : `${t.producer} -> ${t.consumers.join(', ') || '(outside tierflow)'}`, `${t.fromTier} -> ${t.toTier}`]),
      ], '  ');
  const pairs = new Map<string, { plan: number; cloud: number }>();
  for (const l of plan.links) pairs.set(`${l.from} -> ${l.to}`, { plan: l.bytesPerSecond, cloud: 0 });
  for (const l of plan.allInCloud.links) {
    const key = `${l.from} -> ${l.to}`;
    pairs.set(key, { plan: pairs.get(key)?.plan ?? 0, cloud: l.bytesPerSecond });
  }
  const total = plan.links.reduce((s, l) => s + l.bytesPerSecond, 0);
  const links = columns([
    ['LINK', 'THIS PLAN', 'ALL IN CLOUD'],
    ...[...pairs].sort((a, b) => a[0].localeCompare(b[0])).map(([k, v]) => [k, v.plan ? formatRate(v.plan) : '-', v.cloud ? formatRate(v.cloud) : '-']),
    ['total', formatRate(total), formatRate(plan.allInCloud.bytesPerSecond)],
  ], '  ');
  const nodes = new Set(plan.placements.map((p) => p.node)).size;
  const sites = plan.sites
    ? [
        'Sites (a Kafka cluster each; MirrorMaker 2 carries the topics that cross, under their own names)',
        columns([['SITE', 'BROKERS', 'NODES'], ...plan.sites.map((s) => [`${s.name}${s.central ? ' (central)' : ''}`, s.brokers.join(','), s.nodes.join(', ') || '-'])], '  '),
        ...(plan.mirrors?.length ? [columns([['MIRROR', 'WAN', 'TOPICS'], ...plan.mirrors.map((m) => [`${m.from} -> ${m.to}`, formatRate(m.bytesPerSecond), m.topics.join(', ')])], '  ')] : ['  (no topic crosses a site)']),
        '',
      ]
    : [];
  return [
    `${plan.topology}: ${plan.placements.length} placements on ${nodes} nodes, ${plan.chains.length} chains, ${plan.topics.length} topics (${plan.backbone.type} backbone)`,
    '',
    'Placements',
    placements,
    '',
    'Topics',
    topics,
    '',
    'Traffic between nodes (bytes/s)',
    links,
    '',
    ...sites,
    'Kafka access (one principal per node; everything not listed is denied)',
    renderAccessTable(plan),
    '',
  ].join('\n');
}
