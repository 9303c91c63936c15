// validate + plan for commands: a plan that cannot be made is reported like any other topology problem, at
// the flow that could not be placed.
import { TopologyError } from '../errors.js';
import { registry } from '../registry.js';
import { validateTopologyFile, toProblems, type ValidTopology } from '../topology/validate.js';
import { buildPlan, type PlanResult } from '../plan/build.js';
import { PlanInfeasibleError } from '../plan/infeasible.js';

export interface Compiled extends PlanResult {
  valid: ValidTopology;
}

export function compileTopology(file: string): Compiled {
  const { operators } = registry();
  const valid = validateTopologyFile(file, operators);
  try {
    return { valid, ...buildPlan(valid.topology, operators, file) };
  } catch (e) {
    if (!(e instanceof PlanInfeasibleError)) throw e;
    const i = valid.topology.flows.findIndex((f) => f.id === e.operator);
    const explicit = (valid.parsed.data as { flows?: Array<{ placement?: unknown }> }).flows?.[i]?.placement !== undefined;
    const path = i < 0 ? [] : explicit ? ['flows', i, 'placement'] : ['flows', i, 'id'];
    const message = e.message.replace(/^tierflow: /, '');
    throw new TopologyError(toProblems(valid.parsed, [{ path, message }]), 'PLAN_INFEASIBLE');
  }
}
