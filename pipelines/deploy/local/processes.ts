// Which worker processes a local deploy runs: one per node (all its chains, at the plan's replicas), plus one
// process per replica a chain was scaled beyond the plan, so extra replicas land on other cores.
import type { Chain, Plan } from '../../plan/types.js';
import { TierflowError } from '../../errors.js';

export interface WorkerProcessSpec {
  id: string;
  node: string;
  chain?: string;
}

export function workerProcesses(plan: Plan, replicas: Record<string, number>): WorkerProcessSpec[] {
  const nodes = [...new Set(plan.chains.map((c) => c.node))];
  const out: WorkerProcessSpec[] = nodes.map((node) => ({ id: node, node }));
  for (const chain of plan.chains) {
    const want = replicas[chain.id] ?? chain.replicas;
    for (let n = chain.replicas + 1; n <= want; n++) out.push({ id: `${chain.id}#${n}`, node: chain.node, chain: chain.id });
  }
  return out;
}

/** How a node's workers reach Kafka: the node's own brokers (a VPN, a bridge, a proxy) or the deploy's. */
export function brokersOfNode(plan: Plan, node: string, brokers: string[]): string[] {
  return plan.nodeBrokers?.[node] ?? brokers;
}

/** The command-line arguments after `tierflow` that start one worker process. */
export function workerArgs(spec: WorkerProcessSpec, planFile: string, brokers: string[], dataDir: string, credentialFile?: string): string[] {
  return [
    'worker',
    '--plan',
    planFile,
    '--node',
    spec.node,
    ...(spec.chain ? ['--chain', spec.chain] : []),
    '--brokers',
    brokers.join(','),
    '--metrics-host',
    '127.0.0.1',
    '--metrics-port',
    '0',
    '--data-dir',
    dataDir,
    ...(credentialFile ? ['--credential', credentialFile] : []),
  ];
}

/** `<operator>=<N>`: the chain holding the operator and the replica count asked for. */
export function parseScale(plan: Plan, text: string): { chain: Chain; replicas: number } {
  const m = /^([a-z][a-z0-9-]*)=([0-9]+)$/.exec(text.trim());
  if (!m) throw new TierflowError('BAD_ARGUMENT', `scale: expected <operator>=<replicas>, e.g. detect=2, got '${text}'`, { exitCode: 2 });
  const [, operator, count] = m as unknown as [string, string, string];
  const chain = plan.chains.find((c) => c.operators.includes(operator));
  if (!chain) {
    const known = plan.chains.flatMap((c) => c.operators).join(', ');
    throw new TierflowError('BAD_ARGUMENT', `scale: no operator '${operator}' in topology ${plan.topology} (operators: ${known})`, { exitCode: 2 });
  }
  const replicas = Number(count);
  if (chain.sources.length > 0) {
    throw new TierflowError('BAD_ARGUMENT', `scale: '${operator}' reads cameras directly (chain ${chain.id}); a camera is read by one process, so it cannot be scaled`, { exitCode: 2 });
  }
  if (replicas < chain.replicas || replicas > 64) {
    throw new TierflowError(
      'BAD_ARGUMENT',
      `scale: ${operator} can run ${chain.replicas}..64 replicas here (the topology asks for ${chain.replicas}; change it there and redeploy to go lower)`,
      { exitCode: 2 },
    );
  }
  return { chain, replicas };
}

/** Processes to restart after partitions were added to `topic`: its producers' processes (their partition
 *  metadata is refreshed only every few minutes) and the node process of its consuming chain. */
export function restartAfterRepartition(plan: Plan, topic: string, replicas: Record<string, number>): string[] {
  const producers = plan.chains.filter((c) => c.outputs.some((o) => o.topic === topic));
  const consumers = plan.chains.filter((c) => c.inputTopic === topic);
  const procs = workerProcesses(plan, replicas);
  const ids = new Set<string>();
  for (const c of [...producers, ...consumers]) {
    ids.add(c.node);
    for (const p of procs) if (p.chain === c.id) ids.add(p.id);
  }
  return [...ids];
}
