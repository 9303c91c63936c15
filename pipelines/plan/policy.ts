// Data-class policies: how far outward (by tier index) an operator may run, given the data classes it reads
// and writes. A default policy naming a tier the topology does not define does not constrain.
import type { AnyOperatorDefinition } from '../operator.js';
import { DATA_CLASSES, DEFAULT_POLICIES, DEFAULT_TIERS, type DataClass, type Topology } from '../topology/schema.js';

export interface PolicyLimit {
  dataClass: DataClass;
  tier: string;
  tierIndex: number;
}

/** The outermost tier index each data class may reach in this topology. */
export function policyLimits(t: Pick<Topology, 'tiers' | 'policies'>): Record<DataClass, PolicyLimit> {
  const out = {} as Record<DataClass, PolicyLimit>;
  for (const cls of DATA_CLASSES) {
    const explicit = t.policies?.[cls];
    const tier = explicit ?? DEFAULT_POLICIES[cls];
    const index = t.tiers.indexOf(tier);
    const outermost = t.tiers.length - 1;
    out[cls] = index >= 0 ? { dataClass: cls, tier, tierIndex: index } : { dataClass: cls, tier: t.tiers[outermost] ?? tier, tierIndex: outermost };
  }
  return out;
}

export function operatorClasses(def: AnyOperatorDefinition): DataClass[] {
  const out: DataClass[] = [];
  if (def.input !== null) out.push(def.input.dataClass);
  if (def.output !== null && !out.includes(def.output.dataClass)) out.push(def.output.dataClass);
  return out;
}

/** The tightest limit over the classes the operator touches: it may run at `tierIndex` or inside it. */
export function operatorLimit(def: AnyOperatorDefinition, limits: Record<DataClass, PolicyLimit>): PolicyLimit | undefined {
  let tightest: PolicyLimit | undefined;
  for (const cls of operatorClasses(def)) if (!tightest || limits[cls].tierIndex < tightest.tierIndex) tightest = limits[cls];
  return tightest;
}

/** Operators name the standard tiers they run on; one that names all four runs on any tier, whatever the
 *  topology calls its tiers (all built-in operators do). One that names fewer runs only on tiers of those names. */
export function runsOnTier(def: Pick<AnyOperatorDefinition, 'tiers'>, tier: string): boolean {
  return def.tiers.includes(tier) || DEFAULT_TIERS.every((d) => def.tiers.includes(d));
}
