// The supervisor of a local deploy (`tierflow supervise`, started detached by `deploy`): runs the workers
// desired.json implies (processes, or containers with their node's limits), restarts a crashed one with backoff,
// records everything in state.json, applies scale changes on SIGHUP and on SIGTERM stops every worker gracefully
// before it exits.
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { Plan } from '../../plan/types.js';
import { crashStreak, restartDelayMs } from './backoff.js';
import { NEEDS_OPERATOR, type ErrorCode } from '../../errors.js';
import { ContainerLauncher } from './container-launcher.js';
import { ProcessLauncher, thisCli, type CliInvocation, type ExitCause, type WorkerLauncher } from './launcher.js';
import { brokersOfNode, workerArgs, workerProcesses } from './processes.js';
import { AdaptiveController, type ControllerHost } from './controller.js';
import { MirrorSupervisor } from './mirrors.js';
import { lastLine, newManaged, type Managed } from './managed.js';
import { MigrationPhases } from './migration-phases.js';
import { readDesired, readJson, writeJsonAtomic, type ControllerDecision, type DeployPaths, type SupervisorState } from './state.js';

export { thisCli, type CliInvocation } from './launcher.js';

/** How long a worker gets to drain and commit after SIGTERM before it is killed. */
export const WORKER_STOP_TIMEOUT_MS = 20_000;

export class Supervisor {
  private readonly managed = new Map<string, Managed>();
  private decisions: ControllerDecision[] = [];
  private generation = 0;
  private shuttingDown = false;
  private readonly startedAt = Date.now();
  private plan: Plan | null = null;
  private launcher: WorkerLauncher | null = null;
  /** The live migration `migrate` asked for: its standbys, its switch, its rollback. */
  private readonly migration: MigrationPhases;
  /** MirrorMaker 2 of a topology with sites, started with the first plan. */
  private mirrors: MirrorSupervisor | null = null;

  constructor(
    private readonly paths: DeployPaths,
    private readonly cli: CliInvocation,
    private readonly log: (line: string) => void,
  ) {
    this.migration = new MigrationPhases({
      paths,
      managed: this.managed,
      plan: () => this.plan,
      setPlan: (plan) => (this.plan = plan),
      spawn: (m) => this.spawn(m),
      stop: (m) => this.stop(m),
      save: () => this.save(),
      log,
    });
  }

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
      if (this.managed.has(spec.id) || this.migration.stoppedBySwitch.has(spec.id)) continue;
      const m = newManaged(spec, join(this.paths.logs, `${spec.id.replace('#', '-')}.log`));
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
    if (desired.migration) this.migration.request(desired.migration);
    this.save();
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
      busy: () => this.migration.busy || readDesired(this.paths).migration !== undefined,
      saved: (decisions) => {
        this.decisions = [...decisions];
        this.save();
      },
    };
  }

  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    this.log('stopping every worker');
    await Promise.all([...this.managed.values(), ...this.migration.standbys.values()].map((m) => this.stop(m)));
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
          this.migration.checkWarm();
        }
        if (msg.type !== 'ready') return;
        const readyAt = Date.now();
        // A container's host pid is known once it runs: what status shows and memory is read from.
        void launcher.describe(m.spec).then((container) => {
          if (m.child !== child) return;
          Object.assign(m.state, { phase: 'ready', metrics: msg.metrics, status: msg.status, readyAt, everReady: true, container });
          this.save();
          if (m.standby) this.migration.checkSwitched();
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
      this.migration.standbyExited(m, code);
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
      workers: [...this.managed.values(), ...this.migration.standbys.values()].map((m) => m.state),
      ...(this.migration.current ? { migration: this.migration.current } : {}),
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
