// The supervisor of a local deploy (`tierflow supervise`, started detached by `deploy`): runs the workers
// desired.json implies (processes, or containers with their node's limits), restarts a crashed one with backoff,
// records everything in state.json, applies scale changes on SIGHUP and on SIGTERM stops every worker gracefully
// before it exits.
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { Plan } from '../../plan/types.js';
import { crashStreak, restartDelayMs } from './backoff.js';
import { NEEDS_OPERATOR, type ErrorCode } from '../../errors.js';
import { ContainerLauncher } from './container-launcher.js';
import { ProcessLauncher, thisCli, type CliInvocation, type ExitCause, type WorkerLauncher } from './launcher.js';
import { brokersOfNode, workerArgs, workerProcesses, type WorkerProcessSpec } from './processes.js';
import { AdaptiveController, type ControllerHost } from './controller.js';
import { MirrorSupervisor } from './mirrors.js';
import { describeSharers, holdSharers, releaseSharers, sharersOf, type Sharer } from './handover.js';
import { readDesired, readJson, writeJsonAtomic, type ControllerDecision, type DeployPaths, type MigrationRequest, type MigrationState, type SupervisorState, type WorkerState } from './state.js';

export { thisCli, type CliInvocation } from './launcher.js';

/** How long a worker gets to drain and commit after SIGTERM before it is killed. */
export const WORKER_STOP_TIMEOUT_MS = 20_000;
/** How long a held worker gets to commit what it took before the switch fails. */
const HOLD_TIMEOUT_MS = 20_000;

interface Managed {
  spec: WorkerProcessSpec;
  /** The plan it runs: plan.json, or a migration's next plan while it is a standby. */
  planFile?: string;
  /** A migration's warm standby: started with --standby, never restarted, switched on by SIGUSR2. */
  standby?: boolean;
  state: WorkerState;
  child: ChildProcess | null;
  streak: number;
  timer: NodeJS.Timeout | null;
  /** Set while the supervisor itself stops the process, so its exit is not taken for a crash. */
  stopping: Promise<void> | null;
  /** The launcher's look at an exit (OOM kill?) and its cleanup, which a stop waits for too. */
  reaping: Promise<ExitCause | null> | null;
}

/** Last non-empty line of a log file (its last 8 KB), for crash reports. */
export function lastLine(file: string): string {
  try {
    const size = statSync(file).size;
    const fd = openSync(file, 'r');
    const buf = Buffer.alloc(Math.min(size, 8192));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    closeSync(fd);
    return buf.toString('utf8').trim().split('\n').filter(Boolean).at(-1)?.replace(/^\S+Z /, '') ?? '';
  } catch {
    return '';
  }
}

export class Supervisor {
  private readonly managed = new Map<string, Managed>();
  private decisions: ControllerDecision[] = [];
  private generation = 0;
  private shuttingDown = false;
  private readonly startedAt = Date.now();
  private plan: Plan | null = null;
  private launcher: WorkerLauncher | null = null;
  /** A migration's standbys by node, and the workers its switch stopped (kept for a rollback). */
  private readonly standbys = new Map<string, Managed>();
  private readonly stoppedBySwitch = new Map<string, Managed>();
  private migration: MigrationState | undefined;
  private nextPlan: Plan | null = null;
  /** Workers of unchanged nodes held by the switch (a rollback lets them go). */
  private held: Sharer[] = [];
  /** Set once the switch has signalled the standbys. */
  private switchedOn = false;
  /** MirrorMaker 2 of a topology with sites, started with the first plan. */
  private mirrors: MirrorSupervisor | null = null;

  constructor(
    private readonly paths: DeployPaths,
    private readonly cli: CliInvocation,
    private readonly log: (line: string) => void,
  ) {}

  /** Processes, or containers when the deploy asked for them; chosen once, from the first desired state. */
  private launcherFor(plan: Plan): WorkerLauncher {
    if (this.launcher) return this.launcher;
    const desired = readDesired(this.paths);
    this.launcher = desired.containers ? new ContainerLauncher(desired.containers, plan, this.paths, desired.file) : new ProcessLauncher(this.cli, desired.cores, desired.cpuQuotas);
    return this.launcher;
  }

  /** Reads desired.json and starts, stops and restarts processes to match it. */
  reconcile(): void {
    if (this.shuttingDown) return;
    const desired = readDesired(this.paths);
    const plan = readJson<Plan>(this.paths.plan);
    if (!plan) throw new Error(`no plan in ${this.paths.plan}`);
    this.plan = plan;
    this.launcherFor(plan);
    if (!this.mirrors) {
      this.mirrors = new MirrorSupervisor(this.paths, plan, this.log, () => this.save());
      this.mirrors.start();
    }
    const specs = workerProcesses(plan, desired.replicas);
    const fresh = new Set<string>();
    for (const spec of specs) {
      if (this.managed.has(spec.id) || this.stoppedBySwitch.has(spec.id)) continue;
      const m = this.newManaged(spec, join(this.paths.logs, `${spec.id.replace('#', '-')}.log`));
      this.managed.set(spec.id, m);
      fresh.add(spec.id);
      this.spawn(m);
    }
    for (const [id, m] of this.managed) {
      if (specs.some((s) => s.id === id)) continue;
      this.log(`stopping ${id}: scaled down`);
      void this.stop(m).then(() => {
        this.managed.delete(id);
        this.save();
      });
    }
    if (desired.generation > this.generation) {
      if (this.generation > 0) {
        for (const id of desired.restart.filter((x) => !fresh.has(x))) {
          const m = this.managed.get(id);
          if (!m) continue;
          this.log(`restarting ${id}: generation ${desired.generation}`);
          void this.stop(m).then(() => !this.shuttingDown && this.spawn(m));
        }
      }
      this.generation = desired.generation;
    }
    if (desired.migration) this.migrate(desired.migration);
    this.save();
  }

  /** Carries out the phase `migrate` asked for; each phase runs once per migration. */
  private migrate(req: MigrationRequest): void {
    if (this.migration?.id !== req.id) {
      if (req.phase !== 'warming') return;
      const next = readJson<Plan>(req.plan);
      if (!next) throw new Error(`migration ${req.id}: no plan in ${req.plan}`);
      this.nextPlan = next;
      this.migration = { id: req.id, operator: req.operator, phase: 'warming', startedAt: Date.now() };
      this.log(`migration ${req.id}: ${req.operator} to ${req.to}: warming standbys for ${req.replace.join(', ') || 'no node'}`);
      for (const node of req.replace) {
        const spec: WorkerProcessSpec = { id: node, node };
        const m = this.newManaged(spec, join(this.paths.logs, `${node}.m${req.id}.log`));
        Object.assign(m, { planFile: req.plan, standby: true });
        Object.assign(m.state, { phase: 'warming', standby: true });
        this.standbys.set(node, m);
        this.spawn(m);
      }
      this.checkWarm();
      return;
    }
    const phase = this.migration.phase;
    if (req.phase === 'switching' && phase === 'warm') void this.switchOver(req);
    else if (req.phase === 'rollback' && phase !== 'done' && phase !== 'rolled-back') void this.rollBack(req);
  }

  private checkWarm(): void {
    const m = this.migration;
    if (m?.phase !== 'warming' || ![...this.standbys.values()].every((s) => s.state.phase === 'warm')) return;
    Object.assign(m, { phase: 'warm', warmAt: Date.now() });
    this.log(`migration ${m.id}: every standby warm in ${m.warmAt! - m.startedAt} ms`);
    this.save();
  }

  /**
   * The switch: the old workers of the nodes that change stop gracefully (sources end, what is in flight goes
   * through, offsets and changelogs are committed, the consumers leave their groups), then the standbys join the
   * groups and continue from those commits.
   */
  private async switchOver(req: MigrationRequest): Promise<void> {
    const mig = this.migration!;
    Object.assign(mig, { phase: 'switching', switchStartedAt: Date.now() });
    this.save();
    const old = [...req.replace, ...req.retire].flatMap((id) => {
      const m = this.managed.get(id);
      return m ? [m] : [];
    });
    // Workers that stay, in a group that changes members, are held first (handover.ts): the rebalance then moves no
    // record in flight.
    this.held = sharersOf(this.plan!, this.nextPlan!, [...req.replace, ...req.retire], [...this.managed.values()].map((m) => m.state));
    if (this.held.length > 0) {
      this.log(`migration ${mig.id}: switching: holding ${describeSharers(this.held)} while the group changes`);
      const failed = await holdSharers(this.held, HOLD_TIMEOUT_MS).then(() => null, (e: unknown) => (e instanceof Error ? e.message : String(e)));
      if (failed !== null && this.migration?.phase === 'switching') {
        Object.assign(mig, { phase: 'failed', detail: failed });
        this.save();
        return;
      }
    }
    this.log(`migration ${mig.id}: switching: stopping ${old.map((m) => m.spec.id).join(', ') || 'nothing'}`);
    await Promise.all(old.map((m) => this.stop(m)));
    if (this.migration?.phase !== 'switching') {
      // Rolled back while they stopped: they run again on the old plan.
      for (const m of old) this.spawn(m);
      return;
    }
    for (const m of old) {
      this.managed.delete(m.spec.id);
      this.stoppedBySwitch.set(m.spec.id, m);
    }
    this.switchedOn = true;
    for (const m of this.standbys.values()) m.child?.kill('SIGUSR2');
    this.log(`migration ${mig.id}: old workers stopped in ${Date.now() - mig.switchStartedAt!} ms; standbys switched on`);
    this.checkSwitched();
  }

  /** Once every standby is ready after its switch: they are the node workers, the new plan is plan.json. */
  private checkSwitched(): void {
    const mig = this.migration;
    if (mig?.phase !== 'switching' || !this.switchedOn || ![...this.standbys.values()].every((s) => s.state.phase === 'ready')) return;
    this.switchedOn = false;
    writeJsonAtomic(this.paths.plan, this.nextPlan);
    this.plan = this.nextPlan;
    for (const [node, m] of this.standbys) {
      Object.assign(m, { planFile: undefined, standby: false });
      m.state.standby = undefined;
      this.managed.set(node, m);
    }
    this.standbys.clear();
    this.stoppedBySwitch.clear();
    this.held = []; // each fetches again once the group has rebalanced
    Object.assign(mig, { phase: 'done', doneAt: Date.now() });
    this.log(`migration ${mig.id}: done; switched in ${mig.doneAt! - mig.switchStartedAt!} ms`);
    this.save();
  }

  /** Back to the old placement: standbys (and what they started) stop, the old workers run again. */
  private async rollBack(req: MigrationRequest): Promise<void> {
    const mig = this.migration;
    if (!mig) return;
    this.log(`migration ${mig.id}: rolling back: ${req.reason ?? 'asked to'}`);
    mig.phase = 'failed';
    mig.detail ??= req.reason;
    const standbys = [...this.standbys.values()];
    await Promise.all(standbys.map((m) => this.stop(m)));
    this.standbys.clear();
    this.switchedOn = false;
    await releaseSharers(this.held.splice(0));
    for (const [id, m] of this.stoppedBySwitch) {
      this.managed.set(id, m);
      this.log(`migration ${mig.id}: restarting ${id} on the old plan`);
      this.spawn(m);
    }
    this.stoppedBySwitch.clear();
    this.nextPlan = null;
    Object.assign(mig, { phase: 'rolled-back', doneAt: Date.now() });
    this.save();
  }

  private newManaged(spec: WorkerProcessSpec, log: string): Managed {
    return {
      spec,
      child: null,
      streak: 0,
      timer: null,
      stopping: null,
      reaping: null,
      state: { id: spec.id, node: spec.node, chain: spec.chain, pid: null, phase: 'starting', restarts: 0, startedAt: Date.now(), everReady: false, log },
    };
  }

  /** What the adaptive controller reads and reports through. */
  controllerHost(): ControllerHost {
    return {
      paths: this.paths,
      cli: this.cli,
      log: this.log,
      plan: () => this.plan,
      desired: () => readDesired(this.paths),
      workers: () => [...this.managed.values()].map((m) => m.state),
      busy: () => this.standbys.size > 0 || this.stoppedBySwitch.size > 0 || readDesired(this.paths).migration !== undefined,
      saved: (decisions) => {
        this.decisions = [...decisions];
        this.save();
      },
    };
  }

  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    this.log('stopping every worker');
    await Promise.all([...this.managed.values(), ...this.standbys.values()].map((m) => this.stop(m)));
    // After the workers: whatever they produced last still crosses to the other sites before MirrorMaker stops.
    await this.mirrors?.stop();
    this.save();
  }

  private spawn(m: Managed): void {
    if (this.shuttingDown) return;
    const desired = readDesired(this.paths);
    const brokers = brokersOfNode(this.plan!, m.spec.node, desired.brokers);
    const args = workerArgs(m.spec, m.planFile ?? this.paths.plan, brokers, join(this.paths.data, m.spec.id.replace('#', '-')), desired.credentials?.[m.spec.node]);
    if (m.standby) args.push('--standby');
    const launcher = this.launcher!;
    const fd = openSync(m.state.log, 'a');
    const child = launcher.start(m.spec, args, fd);
    closeSync(fd);
    m.child = child;
    Object.assign(m.state, { pid: child.pid ?? null, phase: m.standby ? 'warming' : 'starting', startedAt: Date.now(), nextStartAt: undefined, metrics: undefined, status: undefined, readyAt: undefined, fatal: undefined, container: undefined });
    this.log(`started ${m.spec.id} (${launcher.kind}, pid ${child.pid})`);
    // The limits are known at once (status shows them even for a worker that never gets ready); the pid later.
    void launcher.describe(m.spec).then((container) => {
      if (m.child !== child || m.state.container) return;
      m.state.container = container;
      this.save();
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { type?: string; metrics?: string; status?: string; code?: string; retriable?: boolean; message?: string };
        if (msg.type === 'fatal') m.state.fatal = { code: String(msg.code), retriable: msg.retriable === true, message: String(msg.message ?? '') };
        if (msg.type === 'warm' && m.standby) {
          m.state.phase = 'warm';
          this.save();
          this.checkWarm();
        }
        if (msg.type !== 'ready') return;
        const readyAt = Date.now();
        // A container's host pid is known once it runs: what status shows and memory is read from.
        void launcher.describe(m.spec).then((container) => {
          if (m.child !== child) return;
          Object.assign(m.state, { phase: 'ready', metrics: msg.metrics, status: msg.status, readyAt, everReady: true, container });
          this.save();
          if (m.standby) this.checkSwitched();
        });
      } catch {
        /* not a control line */
      }
    });
    // The worker's last stdout line (a `fatal` report) may be read after 'exit': wait for stdout's end, briefly.
    const stdoutEnded = new Promise<void>((resolve) => child.stdout!.once('close', resolve));
    child.once('exit', (code, signal) => {
      const stopped = m.stopping !== null || this.shuttingDown; // decided now: stop() clears m.stopping on 'exit'
      void Promise.race([stdoutEnded, new Promise((r) => setTimeout(r, 500))]).then(() => this.exited(m, child, code, signal, stopped));
    });
    this.save();
  }

  private exited(m: Managed, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, stopped: boolean): void {
    if (m.child !== child) return;
    m.child = null;
    const now = Date.now();
    m.reaping = this.launcher!.reap(m.spec);
    void m.reaping.then((cause) => this.afterExit(m, now, code, signal, cause, stopped));
  }

  private afterExit(m: Managed, now: number, code: number | null, signal: NodeJS.Signals | null, cause: ExitCause | null, stopped: boolean): void {
    m.reaping = null;
    const oomKilled = cause?.oomKilled === true;
    m.state.lastExit = { at: now, code, signal, stderr: cause?.detail ?? lastLine(m.state.log), ...(oomKilled ? { oomKilled } : {}) };
    m.state.pid = null;
    if (m.state.container) m.state.container.pid = null;
    if (stopped || m.stopping || this.shuttingDown) {
      this.save();
      return;
    }
    if (m.standby) {
      // A standby is not restarted: the migration fails, and `migrate` rolls it back.
      m.state.phase = 'failed';
      if (this.migration && this.migration.phase !== 'rolled-back') Object.assign(this.migration, { phase: 'failed', detail: `standby ${m.spec.id} exited (code ${code}): ${m.state.lastExit.stderr}` });
      this.log(`migration: standby ${m.spec.id} exited (code ${code}): ${m.state.lastExit.stderr}`);
      this.save();
      return;
    }
    const fatal = m.state.fatal;
    if (fatal && !fatal.retriable && NEEDS_OPERATOR.has(fatal.code as ErrorCode)) {
      // Credentials revoked, ACLs missing, a bad file: the same start would fail the same way. Stay down, say why once.
      m.state.phase = 'failed';
      this.log(`${m.spec.id} exited (code ${code}): ${fatal.code}, not restarted (fix it, then deploy again): ${fatal.message}`);
      this.save();
      return;
    }
    m.streak = crashStreak(m.streak, now - m.state.startedAt);
    const delay = restartDelayMs(m.streak);
    Object.assign(m.state, { phase: 'backoff', nextStartAt: now + delay });
    m.state.restarts++;
    this.log(`${m.spec.id} exited (code ${code}, signal ${signal}${oomKilled ? ', OOM-killed' : ''}): restarting in ${delay / 1000} s: ${m.state.lastExit.stderr}`);
    m.timer = setTimeout(() => {
      m.timer = null;
      this.spawn(m);
    }, delay);
    this.save();
  }

  private stop(m: Managed): Promise<void> {
    if (m.timer) clearTimeout(m.timer);
    m.timer = null;
    const child = m.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(); // gone already
    if (m.stopping) return m.stopping;
    m.state.phase = 'stopping';
    this.save();
    m.stopping = new Promise<void>((resolve) => {
      const kill = setTimeout(() => this.launcher!.kill(m.spec, child), WORKER_STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(kill);
        // exited() ran first (its listener is older) and started the reap; a stop ends when that has.
        void (m.reaping ?? Promise.resolve()).then(() => {
          m.stopping = null;
          resolve();
        });
      });
      child.kill('SIGTERM');
    });
    return m.stopping;
  }

  private save(): void {
    const state: SupervisorState = {
      topology: readDesired(this.paths).topology,
      supervisorPid: process.pid,
      startedAt: this.startedAt,
      generation: this.generation,
      workers: [...this.managed.values(), ...this.standbys.values()].map((m) => m.state),
      ...(this.migration ? { migration: this.migration } : {}),
      ...(this.decisions.length ? { decisions: this.decisions } : {}),
      ...(this.mirrors?.states().length ? { mirrors: this.mirrors.states() } : {}),
    };
    writeJsonAtomic(this.paths.state, state);
  }
}

/** Body of `tierflow supervise`: runs until SIGTERM/SIGINT. */
export async function superviseDeploy(paths: DeployPaths, cli: CliInvocation = thisCli()): Promise<void> {
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const supervisor = new Supervisor(paths, cli, log);
  supervisor.reconcile();
  process.on('SIGHUP', () => {
    try {
      supervisor.reconcile();
    } catch (e) {
      log(`reconcile failed: ${(e as Error).message}`);
    }
  });
  const policy = readDesired(paths).adaptive;
  const controller = policy ? new AdaptiveController(supervisor.controllerHost(), policy) : null;
  void controller?.start().catch((e: unknown) => log(`adaptive: not started: ${e instanceof Error ? e.message : String(e)}`));
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  controller?.stop();
  await supervisor.shutdown();
  log('stopped');
}
