// --graph: the flow drawn with tiers as clusters holding their nodes, each operator placement inside its node.
// Edges are labelled with the topic's stream, or "chained" when records pass in memory.
import type { Plan } from '../types.js';

interface Edge {
  from: string;
  to: string;
  label: string;
}

const id = (...parts: string[]) => parts.join('__').replace(/[^A-Za-z0-9_]/g, '_');

function edges(plan: Plan): Edge[] {
  const out: Edge[] = [];
  for (const s of plan.sources) {
    for (const p of plan.placements.filter((pl) => pl.sources?.includes(s.name))) out.push({ from: id('src', s.name), to: id(p.operator, p.node), label: 'camera' });
  }
  for (const chain of plan.chains) {
    for (const op of chain.operators.slice(1)) {
      for (const up of plan.inputs?.[op] ?? []) {
        if (chain.operators.includes(up)) out.push({ from: id(up, chain.node), to: id(op, chain.node), label: 'chained' });
      }
    }
  }
  for (const topic of plan.topics) {
    if (topic.kind === 'changelog' || topic.kind === 'table') continue; // an operator's own state: no edge
    for (const from of plan.placements.filter((p) => p.operator === topic.producer)) {
      for (const consumer of topic.consumers) {
        for (const to of plan.placements.filter((p) => p.operator === consumer)) out.push({ from: id(from.operator, from.node), to: id(to.operator, to.node), label: topic.stream });
      }
    }
  }
  return out;
}

function layout(plan: Plan): Array<{ tier: string; nodes: Array<{ node: string; items: Array<{ id: string; label: string; source: boolean }> }> }> {
  return plan.tiers.map((tier) => {
    const names = [...new Set([...plan.placements.filter((p) => p.tier === tier).map((p) => p.node)])].sort();
    return {
      tier,
      nodes: names.map((node) => ({
        node,
        items: [
          ...plan.sources.filter((s) => s.node === node).map((s) => ({ id: id('src', s.name), label: s.name, source: true })),
          ...plan.placements.filter((p) => p.node === node).map((p) => ({ id: id(p.operator, p.node), label: `${p.operator}${p.replicas > 1 ? ` x${p.replicas}` : ''}`, source: false })),
        ],
      })),
    };
  }).filter((t) => t.nodes.length > 0);
}

export function renderMermaid(plan: Plan): string {
  const lines = ['flowchart LR'];
  for (const tier of layout(plan)) {
    lines.push(`  subgraph ${id('tier', tier.tier)}["${tier.tier}"]`);
    for (const node of tier.nodes) {
      lines.push(`    subgraph ${id('node', node.node)}["${node.node}"]`);
      for (const item of node.items) lines.push(item.source ? `      ${item.id}(("${item.label}"))` : `      ${item.id}["${item.label}"]`);
      lines.push('    end');
    }
    lines.push('  end');
  }
  for (const e of edges(plan)) lines.push(e.label === 'chained' ? `  ${e.from} --> ${e.to}` : `  ${e.from} -->|${e.label}| ${e.to}`);
  return `${lines.join('\n')}\n`;
}

export function renderDot(plan: Plan): string {
  const lines = [`digraph "${plan.topology}" {`, '  rankdir=LR;', '  node [shape=box];'];
  for (const tier of layout(plan)) {
    lines.push(`  subgraph cluster_${id('tier', tier.tier)} {`, `    label="${tier.tier}";`);
    for (const node of tier.nodes) {
      lines.push(`    subgraph cluster_${id('node', node.node)} {`, `      label="${node.node}";`);
      for (const item of node.items) lines.push(`      ${item.id} [label="${item.label}"${item.source ? ', shape=ellipse' : ''}];`);
      lines.push('    }');
    }
    lines.push('  }');
  }
  for (const e of edges(plan)) lines.push(`  ${e.from} -> ${e.to} [label="${e.label}"${e.label === 'chained' ? ', style=dashed' : ''}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
