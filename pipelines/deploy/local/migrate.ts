// `tierflow migrate <operator> --to <node>|tier:<tier>` on a local deploy: a live move, in phases the supervisor
// carries out (supervisor.ts) and this side drives and waits for:
//   plan      re-plan with the operator pinned to the target; a move the policies, the node's arch or its capacity
//             refuse stops here, nothing changed;
//   provision the new plan's topics (a chain split by the move needs one where there was none) and, on an authorising
//             broker, the users and ACLs of nodes new to the deploy;
//   warming   every node whose worker runs other chains in the new plan gets a warm standby: operators created (models
//             loaded) and changelogs read ahead, while the old worker keeps working (Kafka Streams' KIP-441 warm-up
//             replicas); it joins no group and opens no source yet;
//   switching the old workers of those nodes stop gracefully (what is in flight goes through; outputs, changelogs and
//             offsets are committed; consumers leave their groups), then the standbys join and continue from those
//             commits: nothing is lost and nothing processed twice;
//   done      plan.json is the new plan, and deploy state records the pin, so status, scale, undeploy and the next
//             migrate see the new placement.
// A standby that exits or is not warm (or ready) in time, a broker that is gone: the supervisor rolls back to the old
// workers on the old plan, and migrate says why in one line.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../../plan/types.js';
import type { PlacementSpec } from '../../topology/schema.js';
import { TierflowError } from '../../errors.js';
import { PlanInfeasibleError } from '../../plan/infeasible.js';
import { compileTopology } from '../../cli/compile.js';
import { extendNodeAccess } from './credentials.js';
import { kafkaSpec, provisionPlan } from './lifecycle.js';
import { alive, readDesired, readJson, writeJsonAtomic, type DeployPaths, type DesiredState, type MigrationRequest, type MigrationState, type SupervisorState } from './state.js';

export const MIGRATE_TIMEOUT_MS = 90_000;

/** What a migration changes: where an operator runs (`move`), or one more replica of its chain on a node (`add`,
 *  what the adaptive controller does under load) and that replica taken away again (`remove`). */
export type Move =
  | { kind: 'move'; operator: string; /** A node name, or `tier:<tier>`. */ to: string }
  | { kind: 'add' | 'remove'; operator: string; node: string };

export const describeMove = (m: Move): string => (m.kind === 'move' ? `${m.operator} to ${m.to}` : m.kind === 'add' ? `${m.operator} +replica on ${m.node}` : `${m.operator} -replica on ${m.node}`);

export interface MigrateOptions {
  move: Move;
  /** For each of warming and switching. */
  timeoutMs?: number;
  /** Progress lines (phase changes). */
  log?: (line: string) => void;
}

export interface MigrateResult {
  id: number;
  operator: string;
  from: string[];
  to: string[];
  /** Nodes whose worker a standby replaced, and nodes left with no worker. */
  replaced: string[];
  retired: string[];
  /** Topics the new plan added. */
  newTopics: string[];
  warmMs: number;
  switchMs: number;
}

export function parseTarget(to: string): PlacementSpec {
  const tier = /^tier:([a-z][a-z0-9-]*)$/.exec(to);
  if (tier) return { tier: tier[1]! };
  if (/^[a-z][a-z0-9-]*$/.test(to)) return { node: to };
  throw new TierflowError('BAD_ARGUMENT', `migrate --to: expected a node name or tier:<tier>, got '${to}'`, { exitCode: 2 });
}

const nodesOf = (plan: Plan, operator: string) => [...new Set(plan.placements.filter((p) => p.operator === operator).map((p) => p.node))].sort();
/** What a node's worker runs: its chains as the plan describes them (a change in any of them needs a new worker). */
const workOf = (plan: Plan, node: string) => JSON.stringify(plan.chains.filter((c) => c.node === node));

/** The new plan with the move applied over the deploy's earlier ones; one line, exit 2, when it is not allowed. */
export async function replan(desired: DesiredState, plan: Plan, move: Move): Promise<{ next: Plan; pins: Record<string, PlacementSpec>; offload: Record<string, string[]> }> {
  const { operator } = move;
  if (!plan.placements.some((p) => p.operator === operator)) {
    throw new TierflowError('BAD_ARGUMENT', `migrate: no operator '${operator}' in topology ${plan.topology} (operators: ${[...new Set(plan.placements.map((p) => p.operator))].join(', ')})`, { exitCode: 2 });
  }
  const pins = { ...desired.pins };
  const offload: Record<string, string[]> = Object.fromEntries(Object.entries(desired.offload ?? {}).map(([k, v]) => [k, [...v]]));
  // A replica is added to or taken from the whole chain, so its operators stay fused there.
  const members = plan.chains.find((c) => c.operators.includes(operator))!.operators;
  if (move.kind === 'move') pins[operator] = parseTarget(move.to);
  else if (move.kind === 'add') for (const id of members) offload[id] = [...(offload[id] ?? []), move.node];
  else {
    if (!offload[operator]?.includes(move.node)) throw new TierflowError('BAD_ARGUMENT', `migrate: no replica of ${operator} was added on ${move.node}; nothing changed`, { exitCode: 2 });
    for (const id of members) offload[id] = (offload[id] ?? []).filter((n) => n !== move.node);
  }
  for (const [id, nodes] of Object.entries(offload)) if (nodes.length === 0) delete offload[id];
  let next: Plan;
  try {
    next = (await compileTopology(desired.file, { pins, offload })).plan;
  } catch (e) {
    if (e instanceof PlanInfeasibleError) throw new TierflowError('BAD_ARGUMENT', `migrate: ${describeMove(move)} refused: ${e.message.replace(/^tierflow: /, '')}; nothing changed`, { exitCode: 2 });
    throw e;
  }
  const before = nodesOf(plan, operator);
  if (move.kind === 'move' && before.join() === nodesOf(next, operator).join()) throw new TierflowError('BAD_ARGUMENT', `migrate: ${operator} already runs on ${before.join(', ')}; nothing changed`, { exitCode: 2 });
  // A topic keeps its partitions (scale may have grown one; a stateful chain's never changes: its state is per partition).
  for (const t of next.topics) {
    const was = plan.topics.find((x) => x.name === t.name);
    if (was) t.partitions = Math.max(was.partitions, t.partitions);
  }
  return { next, pins, offload };
}

export async function migrateLocal(paths: DeployPaths, opts: MigrateOptions): Promise<MigrateResult> {
  const timeoutMs = opts.timeoutMs ?? MIGRATE_TIMEOUT_MS;
  const log = opts.log ?? (() => undefined);
  const plan = readJson<Plan>(paths.plan);
  const desired = readDesired(paths);
  const state = readJson<SupervisorState>(paths.state);
  if (!plan || !state || !alive(state.supervisorPid)) throw new TierflowError('DEPLOY_STATE', `topology ${desired.topology}: its supervisor is not running; deploy it again`, { exitCode: 2 });
  if (desired.migration) throw new TierflowError('DEPLOY_STATE', `migrate: migration ${desired.migration.id} (${desired.migration.operator}) is under way; wait for it, or see tierflow status`, { exitCode: 2 });
  const { move } = opts;
  const { next, pins, offload } = await replan(desired, plan, move);

  const nodes0 = [...new Set(plan.chains.map((c) => c.node))];
  const nodes1 = [...new Set(next.chains.map((c) => c.node))];
  const replace = nodes1.filter((n) => workOf(plan, n) !== workOf(next, n)).sort();
  const retire = nodes0.filter((n) => !nodes1.includes(n)).sort();
  const scaled = Object.keys(desired.replicas).filter((id) => plan.chains.some((c) => c.id === id && [...replace, ...retire].includes(c.node)));
  if (scaled.length > 0) {
    throw new TierflowError('BAD_ARGUMENT', `migrate: ${scaled.join(', ')} runs extra replicas (scale) on a node this move changes; a scaled chain moves with undeploy and deploy; nothing changed`, { exitCode: 2 });
  }
  const from = nodesOf(plan, move.operator);
  const to = nodesOf(next, move.operator);
  const cameras = plan.chains.filter((c) => [...replace, ...retire].includes(c.node)).flatMap((c) => c.sources);
  log(`plan: ${move.operator} ${from.join(', ')} -> ${to.join(', ')}; new workers for ${replace.join(', ') || 'none'}${retire.length ? `; ${retire.join(', ')} left with no work` : ''}${cameras.length ? `; cameras ${cameras.join(', ')} reconnect (a new decode session)` : ''}`);

  const newTopics = next.topics.filter((t) => !plan.topics.some((x) => x.name === t.name)).map((t) => t.name);
  await provisionPlan(next, desired.brokers);
  let credentials = desired.credentials;
  if (credentials) credentials = await extendNodeAccess(next, kafkaSpec(next, desired.brokers), paths, credentials);
  const nextFile = join(paths.dir, 'plan.next.json');
  writeJsonAtomic(nextFile, next);

  const id = desired.generation + 1;
  const request: MigrationRequest = { id, operator: move.operator, from, to: move.kind === 'move' ? move.to : `${move.kind === 'add' ? '+' : '-'}${move.node}`, plan: nextFile, replace, retire, phase: 'warming' };
  let current: DesiredState = { ...desired, generation: id, restart: [], migration: request, ...(credentials ? { credentials } : {}) };
  const ask = (phase: MigrationRequest['phase'], reason?: string) => {
    current = { ...current, generation: current.generation + 1, migration: { ...request, phase, ...(reason ? { reason } : {}) } };
    writeJsonAtomic(paths.desired, current);
    process.kill(state.supervisorPid, 'SIGHUP');
  };
  writeJsonAtomic(paths.desired, current);
  process.kill(state.supervisorPid, 'SIGHUP');
  log(`warming: ${replace.length} standby worker(s) load their operators and read their changelogs`);

  const rollBack = async (why: string): Promise<never> => {
    ask('rollback', why);
    const back = await waitFor(paths, id, ['rolled-back'], 30_000).catch(() => null);
    writeJsonAtomic(paths.desired, { ...current, generation: current.generation + 1, migration: undefined, ...(plan.access ? { earlierAccess: accessUnion(desired, plan, next) } : {}) });
    rmSync(nextFile, { force: true });
    const how = back ? 'rolled back to the old placement' : 'rollback not confirmed by the supervisor within 30 s; see tierflow status';
    throw new TierflowError('DEPLOY_STATE', `migrate: ${describeMove(move)} ${how}: ${why}`, { exitCode: 1 });
  };

  const warm = await waitFor(paths, id, ['warm', 'failed'], timeoutMs).catch(() => null);
  if (!warm || warm.phase === 'failed') return rollBack(warm?.detail ?? `the standbys were not warm within ${timeoutMs / 1000} s`);
  log(`warm in ${warm.warmAt! - warm.startedAt} ms; switching`);
  ask('switching');
  const done = await waitFor(paths, id, ['done', 'failed'], timeoutMs).catch(() => null);
  if (!done || done.phase === 'failed') return rollBack(done?.detail ?? `the new workers were not ready within ${timeoutMs / 1000} s of the switch`);
  const result: MigrateResult = {
    id,
    operator: move.operator,
    from,
    to,
    replaced: replace,
    retired: retire,
    newTopics,
    warmMs: done.warmAt! - done.startedAt,
    switchMs: done.doneAt! - done.switchStartedAt!,
  };
  const record = { id, operator: move.operator, from, to, at: done.doneAt!, warmMs: result.warmMs, switchMs: result.switchMs };
  writeJsonAtomic(paths.desired, {
    ...current,
    generation: current.generation + 1,
    migration: undefined,
    pins,
    offload,
    migrations: [...(desired.migrations ?? []), record],
    ...(plan.access ? { earlierAccess: accessUnion(desired, plan, next) } : {}),
  });
  rmSync(nextFile, { force: true });
  return result;
}

/** Every node user either plan has, so undeploy revokes them all. */
function accessUnion(desired: DesiredState, ...plans: Plan[]) {
  const all = [...(desired.earlierAccess ?? []), ...plans.flatMap((p) => p.access?.nodes ?? [])];
  return all.filter((a, i) => all.findIndex((b) => b.principal === a.principal) === i);
}

/** Polls state.json until migration `id` reaches one of `phases`. */
async function waitFor(paths: DeployPaths, id: number, phases: Array<MigrationState['phase']>, timeoutMs: number): Promise<MigrationState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = readJson<SupervisorState>(paths.state)?.migration;
    if (m?.id === id && phases.includes(m.phase)) return m;
    if (Date.now() > deadline) throw new Error(`migration ${id}: not ${phases.join(' or ')} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
