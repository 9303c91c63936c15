// Where a chain's pods may run: the node selector pins them to the planned node, its tier and its CPU
// architecture, in the label style KubeEdge and OpenYurt clusters use for edge nodes.
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import { TierflowError } from '../../errors.js';
import type { NodeSpec } from '../../topology/schema.js';
import type { Chain, Plan } from '../../plan/types.js';

export const TIER_LABEL = 'tierflow.dev/tier';
export const NODE_LABEL = 'tierflow.dev/node';
export const ARCH_LABEL = 'kubernetes.io/arch';
/** The taint KubeEdge puts on edge nodes; OpenYurt edge workers carry no taint, so tolerating it is harmless. */
export const EDGE_TAINT = 'node-role.kubernetes.io/edge';

export function nodeOf(nodes: readonly NodeSpec[], chain: Chain): NodeSpec {
  const node = nodes.find((n) => n.name === chain.node);
  if (!node) {
    throw new TierflowError('BAD_ARGUMENT', `tierflow: chain '${chain.id}' runs on node '${chain.node}', which the given topology nodes do not list`);
  }
  return node;
}

/** The topology's own node labels first, then tierflow's, which win: the plan's placement must hold. */
export function nodeSelectorFor(node: NodeSpec, chain: Chain): Record<string, string> {
  const selector: Record<string, string> = {
    ...(node.labels ?? {}),
    [TIER_LABEL]: chain.tier,
    [NODE_LABEL]: node.name,
    [ARCH_LABEL]: node.arch ?? 'amd64',
  };
  return Object.fromEntries(Object.entries(selector).sort(([a], [b]) => a.localeCompare(b)));
}

/** Chains below the outermost tier run on edge-class nodes, which KubeEdge taints. */
export function tolerationsFor(plan: Plan, chain: Chain): IToleration[] {
  if (chain.tier === plan.tiers[plan.tiers.length - 1]) return [];
  return [{ key: EDGE_TAINT, operator: 'Exists', effect: 'NoSchedule' }];
}
