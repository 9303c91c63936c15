// Starting and stopping a local deploy: provision the plan's topics, start the detached supervisor, wait until
// every worker is ready (undoing everything when one is not), and stop it all again, checked by pid.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import type { Plan } from '../../plan/types.js';
import type { BackboneSpec } from '../../topology/schema.js';
import { TierflowError } from '../../errors.js';
import { openBackbone } from '../../backbone/open.js';
import { dlqSpecFor } from '../../backbone/dead-letter.js';
import { workerProcesses } from './processes.js';
import { thisCli, type CliInvocation } from './supervisor.js';
import { alive, deployPaths, ensureDirs, ownedBy, readJson, writeJsonAtomic, type DeployPaths, type DesiredState, type SupervisorState, type WorkerState } from './state.js';

export const READY_TIMEOUT_MS = 60_000;
const SUPERVISOR_STOP_TIMEOUT_MS = 30_000;

export interface DeployLocalOptions {
  plan: Plan;
  /** Absolute path of the topology file. */
  file: string;
  brokers?: string[];
  stateRoot: string;
  readyTimeoutMs?: number;
  cli?: CliInvocation;
}

export interface DeployedLocal {
  paths: DeployPaths;
  supervisorPid: number;
  workers: WorkerState[];
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

export function kafkaSpec(plan: Plan, brokers: string[]): BackboneSpec {
  return { ...(plan.backbone.type === 'kafka' ? plan.backbone : {}), type: 'kafka', brokers };
}

/** Creates the plan's topics and their dead-letter topics (as each worker also does, idempotently). */
export async function provisionPlan(plan: Plan, brokers: string[]): Promise<void> {
  const backbone = await openBackbone(kafkaSpec(plan, brokers));
  try {
    const topics = plan.topics.map((t) => ({ name: t.name, partitions: t.partitions, compression: t.compression, maxRecordBytes: 8 << 20 }));
    await backbone.provision([...topics, ...topics.filter((t) => plan.chains.some((c) => c.inputTopic === t.name)).map(dlqSpecFor)]);
  } finally {
    await backbone.close();
  }
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
  await provisionPlan(plan, brokers);
  ensureDirs(paths);
  writeJsonAtomic(paths.plan, plan);
  const desired: DesiredState = { topology: plan.topology, file: opts.file, brokers, replicas: {}, generation: 1, restart: [] };
  writeJsonAtomic(paths.desired, desired);
  const cli = opts.cli ?? thisCli();
  const out = openSync(paths.supervisorLog, 'a');
  const supervisor = spawn(cli.execPath, [...cli.args, 'supervise', '--state', paths.dir], { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  supervisor.unref();
  const supervisorPid = supervisor.pid!;
  try {
    const workers = await waitUntilReady(paths, supervisorPid, workerProcesses(plan, {}).map((p) => p.id), opts.readyTimeoutMs ?? READY_TIMEOUT_MS);
    return { paths, supervisorPid, workers };
  } catch (e) {
    await undeployLocal(paths, supervisorPid);
    throw e;
  }
}

/** Polls state.json until every listed worker is ready; a worker that exits before its first ready fails it. */
export async function waitUntilReady(paths: DeployPaths, supervisorPid: number, ids: string[], timeoutMs: number): Promise<WorkerState[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = readJson<SupervisorState>(paths.state);
    const workers = state?.workers.filter((w) => ids.includes(w.id)) ?? [];
    const failed = workers.find((w) => !w.everReady && w.lastExit);
    if (failed) {
      throw new TierflowError(
        'DEPLOY_STATE',
        `deploy: worker ${failed.id} exited (code ${failed.lastExit!.code}) before it was ready: ${failed.lastExit!.stderr || `see ${failed.log}`}`,
      );
    }
    if (workers.length === ids.length && workers.every((w) => w.phase === 'ready')) return workers;
    if (!alive(supervisorPid)) throw new TierflowError('DEPLOY_STATE', `deploy: the supervisor exited; see ${paths.supervisorLog}`);
    if (Date.now() > deadline) {
      const late = ids.filter((id) => !workers.some((w) => w.id === id && w.phase === 'ready'));
      throw new TierflowError('DEPLOY_STATE', `deploy: ${late.join(', ')} not ready within ${timeoutMs / 1000} s; see ${paths.logs}`);
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
export async function undeployLocal(paths: DeployPaths, supervisorPid?: number): Promise<number[]> {
  const state = readJson<SupervisorState>(paths.state);
  const pids = new Set<number>((state?.workers ?? []).flatMap((w) => (w.pid && alive(w.pid) && ownedBy(w.pid, paths.dir) ? [w.pid] : [])));
  const sup = supervisorPid ?? state?.supervisorPid;
  if (sup && alive(sup) && ownedBy(sup, paths.dir)) {
    pids.add(sup);
    process.kill(sup, 'SIGTERM');
    if (!(await waitGone(sup, SUPERVISOR_STOP_TIMEOUT_MS))) process.kill(sup, 'SIGKILL');
  }
  // Workers of a supervisor that was killed, or that outlived their stop timeout.
  const latest = readJson<SupervisorState>(paths.state) ?? state;
  for (const w of [...(state?.workers ?? []), ...(latest?.workers ?? [])]) {
    if (!w.pid || !alive(w.pid) || !ownedBy(w.pid, paths.dir)) continue;
    pids.add(w.pid);
    process.kill(w.pid, 'SIGTERM');
    if (!(await waitGone(w.pid, 10_000))) process.kill(w.pid, 'SIGKILL');
  }
  await Promise.all([...pids].map((p) => waitGone(p, 5000)));
  rmSync(paths.dir, { recursive: true, force: true });
  return [...pids];
}
