// Custom tier names: built-in operators run on any tier (policy.ts, runsOnTier), but the default data-class
// policies name standard tiers. Where frames and face crops may go is a privacy decision, so a topology without
// the default's tier must make it: otherwise images of people could reach the outermost tier unannounced.
// Embeddings and events keep the old rule (a missing default tier does not constrain).
import { DEFAULT_POLICIES, type DataClass, type Topology } from './schema.js';
import { finding, type Finding } from './finding.js';

const MUST_DECIDE: readonly DataClass[] = ['frame', 'crop'];

export function tierPolicyProblems(t: Topology): Finding[] {
  const missing = MUST_DECIDE.filter((cls) => t.policies?.[cls] === undefined && !t.tiers.includes(DEFAULT_POLICIES[cls]));
  if (missing.length === 0) return [];
  const tiers = new Set(missing.map((cls) => DEFAULT_POLICIES[cls]));
  const keys = missing.map((cls) => `policies.${cls}`).join(' and ');
  const classes = missing.join(' and ');
  return [
    finding(
      ['tiers'],
      `no tier '${[...tiers].join("', '")}', where ${classes} data stay by default: set ${keys} to the outermost tier ${missing.length > 1 ? 'they' : 'it'} may reach (one of ${t.tiers.join(', ')})`,
    ),
  ];
}
