// Graph checks on a schema-valid topology: names that must exist, names that must be unique, and flows that
// must form an acyclic graph whose connected operators agree on the stream between them.
import type { AnyOperatorDefinition } from '../operator.js';
import type { Topology } from './schema.js';
import { finding, listNames, type Finding } from './finding.js';
import { formatPath } from './parse.js';

/** Operator definitions by flow id, for flows whose `uses` names a known operator. */
export type OperatorsByFlow = Map<string, AnyOperatorDefinition>;

export function resolveOperators(t: Topology, operators: readonly AnyOperatorDefinition[], byUses: ReadonlyMap<string, AnyOperatorDefinition> = new Map()): { byFlow: OperatorsByFlow; problems: Finding[] } {
  const byFlow: OperatorsByFlow = new Map();
  const problems: Finding[] = [];
  t.flows.forEach((flow, i) => {
    const at = flow.uses.lastIndexOf('@');
    const [name, version] = [flow.uses.slice(0, at), flow.uses.slice(at + 1)];
    const def = byUses.get(flow.uses) ?? operators.find((op) => op.name === name && String(op.version) === version);
    if (def) {
      byFlow.set(flow.id, def);
      return;
    }
    const sameName = operators.filter((op) => op.name === name).map((op) => `${op.name}@${op.version}`);
    const text = sameName.length > 0
      ? `unknown version of operator '${name}': ${flow.uses} (known: ${sameName.join(', ')})`
      : `unknown operator '${flow.uses}' (known: ${operators.map((op) => `${op.name}@${op.version}`).join(', ')})`;
    problems.push(finding(['flows', i, 'uses'], text));
  });
  return { byFlow, problems };
}

export function duplicateNames(t: Topology): Finding[] {
  const out: Finding[] = [];
  const unique = (label: string, entries: Array<{ name: string; path: Array<string | number> }>) => {
    const first = new Map<string, Array<string | number>>();
    for (const { name, path } of entries) {
      const earlier = first.get(name);
      if (earlier) out.push(finding(path, `duplicate ${label} '${name}' (first defined at ${formatPath(earlier)})`));
      else first.set(name, path);
    }
  };
  unique('tier', t.tiers.map((name, i) => ({ name, path: ['tiers', i] })));
  unique('node', t.nodes.map((n, i) => ({ name: n.name, path: ['nodes', i, 'name'] })));
  // Sources and flow ids share one namespace: both may appear in `inputs`.
  unique('source or flow name', [
    ...t.sources.map((s, i) => ({ name: s.name, path: ['sources', i, 'name'] })),
    ...t.flows.map((f, i) => ({ name: f.id, path: ['flows', i, 'id'] })),
  ]);
  return out;
}

export function unknownReferences(t: Topology): Finding[] {
  const out: Finding[] = [];
  const tiers = new Set(t.tiers);
  const nodes = new Set(t.nodes.map((n) => n.name));
  const list = (s: Set<string>) => listNames(s);
  t.nodes.forEach((n, i) => {
    if (!tiers.has(n.tier)) out.push(finding(['nodes', i, 'tier'], `unknown tier '${n.tier}' (tiers: ${list(tiers)})`));
  });
  t.links.forEach((l, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!tiers.has(l[end]) && !nodes.has(l[end])) out.push(finding(['links', i, end], `unknown node or tier '${l[end]}' (nodes: ${list(nodes)}; tiers: ${list(tiers)})`));
    }
  });
  t.sources.forEach((s, i) => {
    if (!nodes.has(s.node)) out.push(finding(['sources', i, 'node'], `unknown node '${s.node}' (nodes: ${list(nodes)})`));
  });
  t.flows.forEach((f, i) => {
    const p = f.placement;
    if (typeof p === 'object' && 'tier' in p && !tiers.has(p.tier)) out.push(finding(['flows', i, 'placement', 'tier'], `unknown tier '${p.tier}' (tiers: ${list(tiers)})`));
    if (typeof p === 'object' && 'node' in p && !nodes.has(p.node)) out.push(finding(['flows', i, 'placement', 'node'], `unknown node '${p.node}' (nodes: ${list(nodes)})`));
  });
  for (const [cls, tier] of Object.entries(t.policies ?? {})) {
    if (tier !== undefined && !tiers.has(tier)) out.push(finding(['policies', cls], `unknown tier '${tier}' (tiers: ${list(tiers)})`));
  }
  return out;
}

/** A node's own route to the brokers means something only when there are brokers: a kafka backbone. */
export function nodeBrokerProblems(t: Topology): Finding[] {
  if (t.backbone.type === 'kafka') return [];
  return t.nodes.flatMap((n, i) =>
    n.brokers ? [finding(['nodes', i, 'brokers'], `brokers on node '${n.name}' need a kafka backbone; this topology's backbone is ${t.backbone.type}`)] : [],
  );
}

/** Inputs name something that exists and carries the stream the operator reads. */
export function inputProblems(t: Topology, byFlow: OperatorsByFlow, operators: readonly AnyOperatorDefinition[]): Finding[] {
  const out: Finding[] = [];
  const sourceOperators = operators.filter((op) => op.input === null).map((op) => `${op.name}@${op.version}`).join(', ') || 'none known';
  const sources = new Set(t.sources.map((s) => s.name));
  const flowIds = new Set(t.flows.map((f) => f.id));
  const atUrls = new Set<string>();
  const atUrl = (at: number, message: string) => {
    if (atUrls.has(`${at}\u0000${message}`)) return;
    atUrls.add(`${at}\u0000${message}`);
    out.push(finding(['sources', at, 'url'], message));
  };
  t.flows.forEach((f, i) => {
    const def = byFlow.get(f.id);
    if (def && def.input === null && f.inputs.length === 0) out.push(finding(['flows', i, 'inputs'], `${f.uses} is a source operator: list the sources it reads (sources: ${listNames(sources) || 'none defined'})`));
    if (def && def.input !== null && f.inputs.length !== 1) out.push(finding(['flows', i, 'inputs'], `${f.uses} reads one upstream operator; got ${f.inputs.length} inputs`));
    f.inputs.forEach((input, j) => {
      const path = ['flows', i, 'inputs', j];
      if (!sources.has(input) && !flowIds.has(input)) {
        out.push(finding(path, `unknown input '${input}' (sources: ${listNames(sources) || 'none'}; flows: ${listNames(flowIds)})`));
        return;
      }
      if (!def) return;
      if (sources.has(input)) {
        const at = t.sources.findIndex((s) => s.name === input);
        const scheme = /^([a-z][a-z0-9+.-]*):/.exec(t.sources[at]?.url ?? '')?.[1];
        // Reported at the url: that is what to change (or the flow's operator); once, however many flows read it.
        if (def.input === null && def.sourceSchemes && scheme && !def.sourceSchemes.includes(scheme)) {
          atUrl(at, `a ${scheme}: source, but '${f.id}' (${f.uses}) reads ${def.sourceSchemes.map((x) => `${x}:`).join(', ')} sources`);
        } else if (def.input === null && def.sourceProblem) {
          const problem = def.sourceProblem(t.sources[at]!.url);
          if (problem) atUrl(at, problem);
        }
        if (def.input !== null) out.push(finding(path, `'${input}' is a source, but ${f.uses} reads the ${def.input.name} stream; a source feeds a source operator (${sourceOperators})`));
        return;
      }
      const up = byFlow.get(input);
      if (def.input === null) out.push(finding(path, `${f.uses} is a source operator and reads only sources; '${input}' is an operator`));
      else if (up && up.output === null) out.push(finding(path, `'${input}' (${up.name}@${up.version}) is a sink and produces no stream`));
      else if (up?.output && up.output.name !== def.input.name) out.push(finding(path, `'${input}' produces ${up.output.name}, but ${f.uses} reads ${def.input.name}`));
    });
  });
  return out;
}

/** Each cycle once, reported at the input that closes it. */
export function cycles(t: Topology): Finding[] {
  const out: Finding[] = [];
  const index = new Map(t.flows.map((f, i) => [f.id, i]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string) => {
    state.set(id, 'visiting');
    stack.push(id);
    const i = index.get(id) ?? 0;
    (t.flows[i]?.inputs ?? []).forEach((input, j) => {
      if (!index.has(input)) return;
      if (state.get(input) === 'visiting') {
        const loop = [...stack.slice(stack.indexOf(input)), input];
        out.push(finding(['flows', i, 'inputs', j], `cycle: ${loop.reverse().join(' -> ')}`));
      } else if (!state.has(input)) visit(input);
    });
    stack.pop();
    state.set(id, 'done');
  };
  for (const f of t.flows) if (!state.has(f.id)) visit(f.id);
  return out;
}
