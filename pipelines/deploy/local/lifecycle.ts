// Starting and stopping a local deploy: provision the plan's topics, start the detached supervisor, wait until
// every worker is ready (undoing everything when one is not), and stop it all again, checked by pid.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Plan } from '../../plan/types.js';
import type { BackboneSpec } from '../../topology/schema.js';
import { isTierflowError, TierflowError } from '../../errors.js';
import { openBackbone } from '../../backbone/open.js';
import type { Backbone } from '../../backbone/contract.js';
import { plannedTopicSpecs } from '../../runtime/provision.js';
import { workerProcesses } from './processes.js';
import { mirrorClasspath, requireJava } from './mirrors.js';
import { createQuotas, removeQuotas } from './cpu-quota.js';
import { grantNodeAccess, revokeNodeAccess } from './credentials.js';
import { secretEnvNames } from '../manifest-common.js';
import { thisCli, type CliInvocation } from './launcher.js';
import { containersOfDeploy, imageExists, removeContainer, type ContainerSettings } from './podman.js';
import { alive, deployPaths, ensureDirs, ownedBy, readJson, writeJsonAtomic, type AdaptivePolicy, type DeployPaths, type DesiredState, type SupervisorState, type WorkerState } from './state.js';

export const READY_TIMEOUT_MS = 60_000;
/** A container also waits for podman to set up its root filesystem (minutes with vfs storage, a full copy of the image). */
export const CONTAINER_READY_TIMEOUT_MS = 120_000;
const SUPERVISOR_STOP_TIMEOUT_MS = 30_000;

export interface DeployLocalOptions {
  plan: Plan;
  /** Absolute path of the topology file. */
  file: string;
  brokers?: string[];
  stateRoot: string;
  readyTimeoutMs?: number;
  cli?: CliInvocation;
  /** Run each worker as a container of this image, with its node's limits (deploy --target containers). */
  containers?: ContainerSettings;
  /** deploy --adaptive: the supervisor's controller adds replicas further out under load. */
  adaptive?: AdaptivePolicy;
  /** deploy --pin-cores: CPUs per node (taskset). */
  cores?: Record<string, string>;
  /** deploy --cpu-quota: cores per node, a quota its workers share (cpu-quota.ts). */
  cpuQuota?: Record<string, number>;
}

export interface DeployedLocal {
  paths: DeployPaths;
  supervisorPid: number;
  workers: WorkerState[];
  /** Nodes that got their own Kafka user and ACLs; empty when the workers share the topology's credential. */
  ownCredentials: string[];
  /** Sites whose cluster did not answer: started, not waited for (their workers retry with backoff). */
  unreachable: UnreachableSite[];
}

/** Brokers for a local deploy: --brokers, else the topology's kafka backbone; workers cannot share an embedded one. */
export function deployBrokers(plan: Plan, flag: string | undefined): string[] {
  if (flag !== undefined) {
    const list = flag.split(',').map((b) => b.trim()).filter(Boolean);
    if (list.length === 0 || list.some((b) => !/^[^\s:]+:\d+$/.test(b))) {
      throw new TierflowError('BAD_ARGUMENT', `--brokers: expected host:port[,host:port...], got '${flag}'`, { exitCode: 2 });
    }
    return list;
  }
  if (plan.backbone.type === 'kafka') return plan.backbone.brokers;
  throw new TierflowError(
    'BAD_ARGUMENT',
    `deploy --target local needs Kafka: topology ${plan.topology} has an embedded backbone; give --brokers host:port or a kafka backbone in the topology`,
    { exitCode: 2 },
  );
}

export function kafkaSpec(plan: Plan, brokers: string[]): Extract<BackboneSpec, { type: 'kafka' }> {
  return { ...(plan.backbone.type === 'kafka' ? plan.backbone : {}), type: 'kafka', brokers };
}

/** A site whose cluster did not answer at deploy: its workers and MirrorMaker start anyway, retrying with backoff. */
export interface UnreachableSite {
  site: string;
  brokers: string[];
  /** The worker ids on its nodes, which deploy does not wait for. */
  workers: string[];
  reason: string;
}

/**
 * Creates the plan's topics and their dead-letter topics (as each worker also does, idempotently): on every
 * site's cluster when the topology has sites, so a mirrored topic exists on both sides before any record crosses.
 * With sites, a cluster that does not answer is no reason to keep the others from working (a shop with its WAN
 * down, or the cloud away): it is returned, and its workers create the topics when it answers. Any other error,
 * or no cluster answering, fails.
 */
export async function provisionPlan(plan: Plan, brokers: string[]): Promise<UnreachableSite[]> {
  const sites = plan.sites ?? [{ name: '', brokers, nodes: [], central: true as const }];
  const unreachable: UnreachableSite[] = [];
  for (const site of sites) {
    const cluster = site.central ? brokers : site.brokers;
    let backbone: Backbone | null = null;
    try {
      // Opening connects: a cluster that does not answer fails here already.
      backbone = await openBackbone(kafkaSpec(plan, cluster));
      await backbone.provision(plannedTopicSpecs(plan));
    } catch (e) {
      if (!plan.sites) throw e;
      const reason = `cannot provision topics on ${cluster.join(',')} (site ${site.name}): ${(e as Error).message}`;
      if (!isTierflowError(e) || e.code !== 'BROKER_UNREACHABLE') throw new TierflowError('DEPLOY_STATE', `deploy: ${reason}`, { cause: e });
      unreachable.push({ site: site.name, brokers: cluster, workers: workerProcesses(plan, {}).filter((w) => site.nodes.includes(w.node)).map((w) => w.id), reason });
    } finally {
      await backbone?.close();
    }
  }
  if (plan.sites && unreachable.length === plan.sites.length) {
    throw new TierflowError('DEPLOY_STATE', `deploy: no site's cluster answers: ${unreachable.map((u) => u.reason).join('; ')}`, { exitCode: 3 });
  }
  return unreachable;
}

export async function deployLocal(opts: DeployLocalOptions): Promise<DeployedLocal> {
  const { plan } = opts;
  const brokers = opts.brokers ?? deployBrokers(plan, undefined);
  const paths = deployPaths(opts.stateRoot, plan.topology);
  const previous = readJson<SupervisorState>(paths.state);
  if (previous && alive(previous.supervisorPid) && ownedBy(previous.supervisorPid, paths.dir)) {
    throw new TierflowError(
      'DEPLOY_STATE',
      `topology ${plan.topology} is already deployed locally (supervisor pid ${previous.supervisorPid}): run \`tierflow undeploy ${plan.topology}\` first`,
    );
  }
  if (existsSync(paths.dir)) await undeployLocal(paths); // left over from a supervisor that died: clear it
  if (opts.containers && !(await imageExists(opts.containers.image))) {
    throw new TierflowError('DEPLOY_STATE', `deploy --target containers: no image ${opts.containers.image} in podman's storage: build it with infra/containers/build.sh (or give --image)`, { exitCode: 2 });
  }
  // Before anything starts: a machine without cgroups refuses here, with nothing half-started.
  const cpuQuotas = opts.cpuQuota ? createQuotas(plan.topology, opts.cpuQuota) : undefined;
  let unreachable: UnreachableSite[];
  try {
    if (plan.mirrors?.length) {
      requireJava();
      mirrorClasspath();
    }
    unreachable = await provisionPlan(plan, brokers);
  } catch (e) {
    removeQuotas(plan.topology);
    throw e;
  }
  ensureDirs(paths);
  writeJsonAtomic(paths.plan, plan);
  const spec = kafkaSpec(plan, brokers);
  let credentials: Record<string, string> | null;
  try {
    credentials = await grantNodeAccess(plan, spec, paths);
  } catch (e) {
    await revokeNodeAccess(plan, spec, {}).catch(() => {});
    rmSync(paths.dir, { recursive: true, force: true });
    removeQuotas(plan.topology);
    throw e;
  }
  const desired: DesiredState = { topology: plan.topology, file: opts.file, brokers, replicas: {}, generation: 1, restart: [], ...(credentials ? { credentials } : {}), ...(opts.containers ? { containers: opts.containers } : {}), ...(opts.adaptive ? { adaptive: opts.adaptive } : {}), ...(opts.cores ? { cores: opts.cores } : {}), ...(cpuQuotas ? { cpuQuotas } : {}) };
  writeJsonAtomic(paths.desired, desired);
  const cli = opts.cli ?? thisCli();
  const out = openSync(paths.supervisorLog, 'a');
  // With their own credentials, the supervisor and its workers do not get the deploying user's secrets at all.
  const env = credentials ? withoutEnv(process.env, secretEnvNames(plan)) : process.env;
  const supervisor = spawn(cli.execPath, [...cli.args, 'supervise', '--state', paths.dir], { detached: true, stdio: ['ignore', out, out], env });
  closeSync(out);
  supervisor.unref();
  const supervisorPid = supervisor.pid!;
  try {
    const waitingFor = new Set(unreachable.flatMap((u) => u.workers));
    const ids = workerProcesses(plan, {}).map((p) => p.id).filter((id) => !waitingFor.has(id));
    const workers = await waitUntilReady(paths, supervisorPid, ids, opts.readyTimeoutMs ?? (opts.containers ? CONTAINER_READY_TIMEOUT_MS : READY_TIMEOUT_MS));
    return { paths, supervisorPid, workers, ownCredentials: Object.keys(credentials ?? {}), unreachable };
  } catch (e) {
    // The logs of a failed deploy are what the user reads next: the rollback stops everything but keeps them.
    await undeployLocal(paths, supervisorPid, { keepLogs: true });
    throw e;
  }
}

/** The first line of a worker's log that reads as an error (a TierflowError's message, an exception), if any. */
export function firstErrorLine(log: string): string | null {
  let text: string;
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    return null;
  }
  const line = text.split('\n').map((l) => l.replace(/^\d{4}-\d\d-\d\dT\S+Z /, '').trim()).find((l) => /error|failed|invalid|cannot|no such|not found|missing|refused|unreachable/i.test(l));
  return line ?? null;
}

function withoutEnv(env: NodeJS.ProcessEnv, names: string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !names.includes(k)));
}

/** Polls state.json until every listed worker is ready; a worker that exits before its first ready fails it. */
export async function waitUntilReady(paths: DeployPaths, supervisorPid: number, ids: string[], timeoutMs: number): Promise<WorkerState[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = readJson<SupervisorState>(paths.state);
    const workers = state?.workers.filter((w) => ids.includes(w.id)) ?? [];
    const failed = workers.find((w) => !w.everReady && w.lastExit);
    if (failed) {
      const reason = firstErrorLine(failed.log) ?? failed.lastExit!.stderr;
      throw new TierflowError(
        'DEPLOY_STATE',
        `deploy: worker ${failed.id} exited (code ${failed.lastExit!.code}) before it was ready: ${reason || 'no message'}; see ${failed.log}`,
      );
    }
    if (workers.length === ids.length && workers.every((w) => w.phase === 'ready')) return workers;
    if (!alive(supervisorPid)) throw new TierflowError('DEPLOY_STATE', `deploy: the supervisor exited; see ${paths.supervisorLog}`);
    if (Date.now() > deadline) {
      const late = ids.filter((id) => !workers.some((w) => w.id === id && w.phase === 'ready'));
      const said = workers.filter((w) => late.includes(w.id)).map((w) => [w.id, firstErrorLine(w.log)] as const).find(([, line]) => line);
      throw new TierflowError('DEPLOY_STATE', `deploy: ${late.join(', ')} not ready within ${timeoutMs / 1000} s${said ? ` (${said[0]}: ${said[1]})` : ''}; see ${paths.logs}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** Stops the supervisor (which stops its workers gracefully), then anything of this deploy still running, and
 *  removes the state. Returns the pids that were stopped. */
export async function undeployLocal(paths: DeployPaths, supervisorPid?: number, opts: { keepLogs?: boolean } = {}): Promise<number[]> {
  const state = readJson<SupervisorState>(paths.state);
  const containers = readJson<DesiredState>(paths.desired)?.containers !== undefined;
  const children = (s: SupervisorState | null) => [...(s?.workers ?? []), ...(s?.mirrors ?? [])];
  const pids = new Set<number>(children(state).flatMap((w) => (w.pid && alive(w.pid) && ownedBy(w.pid, paths.dir) ? [w.pid] : [])));
  const sup = supervisorPid ?? state?.supervisorPid;
  if (sup && alive(sup) && ownedBy(sup, paths.dir)) {
    pids.add(sup);
    process.kill(sup, 'SIGTERM');
    if (!(await waitGone(sup, SUPERVISOR_STOP_TIMEOUT_MS))) process.kill(sup, 'SIGKILL');
  }
  // Workers (and MirrorMakers) of a supervisor that was killed, or that outlived their stop timeout.
  const latest = readJson<SupervisorState>(paths.state) ?? state;
  for (const w of [...children(state), ...children(latest)]) {
    if (!w.pid || !alive(w.pid) || !ownedBy(w.pid, paths.dir)) continue;
    pids.add(w.pid);
    process.kill(w.pid, 'SIGTERM');
    if (!(await waitGone(w.pid, 10_000))) process.kill(w.pid, 'SIGKILL');
  }
  await Promise.all([...pids].map((p) => waitGone(p, 5000)));
  // Containers whose attached podman client was killed keep running without it: found by the deploy's label.
  if (containers) for (const name of await containersOfDeploy(paths.dir)) await removeContainer(name);
  removeQuotas(basename(paths.dir));
  // Only now, with no worker left to use them: remove the nodes' Kafka users and ACLs. If the broker cannot be
  // reached the state stays, so that undeploy can be run again to finish.
  const desired = readJson<DesiredState>(paths.desired);
  const plan = readJson<Plan>(paths.plan);
  if (desired?.credentials && plan) {
    try {
      await revokeNodeAccess(plan, kafkaSpec(plan, desired.brokers), desired.credentials, desired.earlierAccess);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new TierflowError('DEPLOY_STATE', `undeploy: workers stopped, but the nodes' Kafka users and ACLs could not be removed (${why}); run undeploy again`, { cause: e });
    }
  }
  if (!opts.keepLogs) rmSync(paths.dir, { recursive: true, force: true });
  else for (const entry of readdirSync(paths.dir)) if (join(paths.dir, entry) !== paths.logs) rmSync(join(paths.dir, entry), { recursive: true, force: true });
  return [...pids];
}
