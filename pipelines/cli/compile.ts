// validate + plan for commands: a plan that cannot be made is reported like any other topology problem, at
// the flow that could not be placed.
import { TopologyError } from '../errors.js';
import { extendRegistry, registry } from '../registry.js';
import { validateTopology, toProblems, type ValidTopology } from '../topology/validate.js';
import { readTopologyFile } from '../topology/parse.js';
import { loadTopologyOperators } from '../topology/operator-modules.js';
import { buildPlan, type PlanResult } from '../plan/build.js';
import { PlanInfeasibleError } from '../plan/infeasible.js';
import type { PlacementSpec } from '../topology/schema.js';

export interface Compiled extends PlanResult {
  valid: ValidTopology;
}

export interface CompileOptions {
  /** Placements that override the topology's, by flow id (what `migrate` moved). A plan these make infeasible
   *  throws the PlanInfeasibleError itself: the move is wrong, not the file. */
  pins?: Record<string, PlacementSpec>;
  /** One more replica of a flow on each of these nodes, by flow id (the adaptive controller's offloads). */
  offload?: Record<string, string[]>;
}

/** The registered operators and the topology's own (`uses: ./path@1`, a package), which join the registry. */
export async function compileTopology(file: string, opts: CompileOptions = {}): Promise<Compiled> {
  const parsed = readTopologyFile(file);
  if (parsed.problems.length > 0) throw new TopologyError(parsed.problems);
  const own = await loadTopologyOperators(parsed, registry());
  if (own.findings.length > 0) throw new TopologyError(toProblems(parsed, own.findings));
  const { operators } = await extendRegistry(own.modules);
  const valid = validateTopology(parsed, operators, own.byUses);
  const pins = Object.entries(opts.pins ?? {});
  const changed = pins.length > 0 || Object.keys(opts.offload ?? {}).length > 0;
  for (const [id, placement] of pins) {
    const flow = valid.topology.flows.find((f) => f.id === id);
    if (flow) flow.placement = placement;
  }
  try {
    const result = buildPlan(valid.topology, operators, file, opts.offload);
    if (own.modules.length > 0) result.plan.operatorModules = own.modules;
    return { valid, ...result };
  } catch (e) {
    if (!(e instanceof PlanInfeasibleError) || changed) throw e;
    const i = valid.topology.flows.findIndex((f) => f.id === e.operator);
    const explicit = (valid.parsed.data as { flows?: Array<{ placement?: unknown }> }).flows?.[i]?.placement !== undefined;
    const path = i < 0 ? [] : explicit ? ['flows', i, 'placement'] : ['flows', i, 'id'];
    const message = e.message.replace(/^tierflow: /, '');
    throw new TopologyError(toProblems(valid.parsed, [{ path, message }]), 'PLAN_INFEASIBLE');
  }
}
