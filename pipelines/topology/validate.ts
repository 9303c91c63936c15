// validate: a parsed topology in, a typed topology with defaults out, or a TopologyError carrying every
// problem at its file:line:col. Phases: YAML -> schema (and secrets) -> operators and their configs -> graph
// and placement checks. Graph checks run only on a schema-valid document: they rely on its shape.
import { Value } from '@sinclair/typebox/value';
import { TopologyError, type SourceProblem } from '../errors.js';
import { followsTable, type AnyOperatorDefinition } from '../operator.js';
import { TopologySpec, type Topology } from './schema.js';
import { readTopologyFile, formatPath, type ParsedTopology } from './parse.js';
import { schemaProblems } from './schema-problems.js';
import { literalSecrets } from './secrets.js';
import { normaliseTopology } from './normalise.js';
import { cycles, duplicateNames, inputProblems, nodeBrokerProblems, resolveOperators, unknownReferences } from './graph-checks.js';
import { placementProblems, unreachableNodes } from './placement-checks.js';
import { camerasBeyondPolicy, sourceUrlProblems } from './source-checks.js';
import { tierPolicyProblems } from './tier-checks.js';
import { siteProblems } from './site-checks.js';
import { finding, type Finding } from './finding.js';

export interface ValidTopology {
  /** The file as the user named it. */
  file: string;
  /** The document with schema defaults applied (flow configs included). */
  topology: Topology;
  parsed: ParsedTopology;
}

export function validateTopologyFile(file: string, operators: readonly AnyOperatorDefinition[]): ValidTopology {
  return validateTopology(readTopologyFile(file), operators);
}

/** `byUses`: operators of the user's own, by the `uses` the topology wrote (see operator-modules.ts). In the
 *  valid topology their flows say the canonical `name@version`, which the registry the plan runs with knows. */
export function validateTopology(parsed: ParsedTopology, operators: readonly AnyOperatorDefinition[], byUses: ReadonlyMap<string, AnyOperatorDefinition> = new Map()): ValidTopology {
  if (parsed.problems.length > 0) throw new TopologyError(parsed.problems);
  const data = Value.Default(TopologySpec, normaliseTopology(TopologySpec, parsed.data));
  const findings: Finding[] = [...schemaProblems(TopologySpec, data, []), ...literalSecrets(parsed.data)];
  const schemaValid = findings.length === 0;
  if (schemaValid) {
    const t = data as Topology;
    const { byFlow, problems } = resolveOperators(t, operators, byUses);
    findings.push(...problems);
    t.flows.forEach((flow, i) => {
      const def = byFlow.get(flow.id);
      if (!def) return;
      flow.config = Value.Default(def.config, flow.config) as Record<string, unknown>;
      const configProblems = schemaProblems(def.config, flow.config, ['flows', i, 'config']);
      findings.push(...configProblems);
      if (configProblems.length === 0) findings.push(...configCheckProblems(def, flow.config, i), ...tableProblems(t, def, flow.config, i));
    });
    const duplicates = duplicateNames(t);
    findings.push(...duplicates, ...unknownReferences(t), ...nodeBrokerProblems(t), ...siteProblems(t), ...sourceUrlProblems(t));
    // With two flows of one name, inputs are ambiguous: the duplicate is the problem to report.
    if (duplicates.length === 0) findings.push(...inputProblems(t, byFlow, operators), ...cycles(t));
    if (findings.length === 0) {
      const cameras = camerasBeyondPolicy(t, byFlow);
      findings.push(...tierPolicyProblems(t), ...cameras.problems, ...placementProblems(t, byFlow, cameras.nodes), ...unreachableNodes(t));
    }
  }
  if (findings.length > 0) throw new TopologyError(toProblems(parsed, findings));
  const t = data as Topology;
  for (const flow of t.flows) {
    const def = byUses.get(flow.uses);
    if (def) flow.uses = `${def.name}@${def.version}`;
  }
  return { file: parsed.file, topology: t, parsed };
}

/** The operator's declared cross-key rules, each violation at the key it names. */
function configCheckProblems(def: AnyOperatorDefinition, config: Record<string, unknown>, flow: number): Finding[] {
  const out: Finding[] = [];
  for (const c of def.configChecks ?? []) {
    const v = c.check(config);
    if (v) out.push(finding(['flows', flow, 'config', ...v.key.split('.')], `${v.message} (${def.name}@${def.version}: ${c.rule})`));
  }
  return out;
}

/** A table lives on Kafka: the user writes it from outside the run (`tierflow enroll --live`), which an embedded
 *  backbone, inside one process, cannot take. */
function tableProblems(t: Topology, def: AnyOperatorDefinition, config: Record<string, unknown>, flow: number): Finding[] {
  if (t.backbone.type === 'kafka' || !def.table || !followsTable(def, config)) return [];
  return [finding(['flows', flow, 'uses'], `${def.name}@${def.version} with this config follows the table tierflow.${t.name}.${def.table.topic}, a compacted Kafka topic written from outside the run: it needs backbone: { type: kafka }`)];
}

/** Findings at their file positions, in reading order. */
export function toProblems(parsed: ParsedTopology, findings: Finding[]): SourceProblem[] {
  return findings
    .map((f) => ({ file: parsed.file, ...parsed.locate(f.path, f.at), path: formatPath(f.path), message: f.message }))
    .sort((a, b) => a.line - b.line || a.col - b.col);
}
