// A live migration's phases in the supervisor, as `tierflow migrate` asks for them through desired.json (migrate.ts):
// standbys started on the next plan and warmed, the switch (workers sharing a changing group held, the old workers
// stopped, the standbys signalled), and the rollback to the old placement.
import { join } from 'node:path';
import type { Plan } from '../../plan/types.js';
import type { WorkerProcessSpec } from './processes.js';
import { describeSharers, holdSharers, releaseSharers, sharersOf, type Sharer } from './handover.js';
import { newManaged, type Managed } from './managed.js';
import { readJson, writeJsonAtomic, type DeployPaths, type MigrationRequest, type MigrationState } from './state.js';

/** How long a held worker gets to commit what it took before the switch fails. */
const HOLD_TIMEOUT_MS = 20_000;

/** The supervisor as the migration sees it. */
export interface MigrationHost {
  readonly paths: DeployPaths;
  /** The workers of the plan in force, by id. */
  readonly managed: Map<string, Managed>;
  plan(): Plan | null;
  setPlan(plan: Plan): void;
  spawn(m: Managed): void;
  stop(m: Managed): Promise<void>;
  save(): void;
  log(line: string): void;
}

export class MigrationPhases {
  /** The standbys by node, and the workers the switch stopped (kept for a rollback). */
  readonly standbys = new Map<string, Managed>();
  readonly stoppedBySwitch = new Map<string, Managed>();
  /** The latest migration, as state.json shows it. */
  current: MigrationState | undefined;
  private nextPlan: Plan | null = null;
  /** Workers of unchanged nodes held by the switch (a rollback lets them go). */
  private held: Sharer[] = [];
  /** Set once the switch has signalled the standbys. */
  private switchedOn = false;

  constructor(private readonly host: MigrationHost) {}

  /** A migration under way: the controller makes no decision meanwhile. */
  get busy(): boolean {
    return this.standbys.size > 0 || this.stoppedBySwitch.size > 0;
  }

  /** A standby exited before the switch made it a worker: the migration fails, and `migrate` rolls it back. */
  standbyExited(m: Managed, code: number | null): void {
    const why = `standby ${m.spec.id} exited (code ${code}): ${m.state.lastExit?.stderr ?? ''}`;
    if (this.current && this.current.phase !== 'rolled-back') Object.assign(this.current, { phase: 'failed', detail: why });
    this.host.log(`migration: ${why}`);
  }

  /** Carries out the phase `migrate` asked for; each phase runs once per migration. */
  request(req: MigrationRequest): void {
    if (this.current?.id !== req.id) {
      if (req.phase !== 'warming') return;
      const next = readJson<Plan>(req.plan);
      if (!next) throw new Error(`migration ${req.id}: no plan in ${req.plan}`);
      this.nextPlan = next;
      this.current = { id: req.id, operator: req.operator, phase: 'warming', startedAt: Date.now() };
      this.host.log(`migration ${req.id}: ${req.operator} to ${req.to}: warming standbys for ${req.replace.join(', ') || 'no node'}`);
      for (const node of req.replace) {
        const spec: WorkerProcessSpec = { id: node, node };
        const m = newManaged(spec, join(this.host.paths.logs, `${node}.m${req.id}.log`));
        Object.assign(m, { planFile: req.plan, standby: true });
        Object.assign(m.state, { phase: 'warming', standby: true });
        this.standbys.set(node, m);
        this.host.spawn(m);
      }
      this.checkWarm();
      return;
    }
    const phase = this.current.phase;
    if (req.phase === 'switching' && phase === 'warm') void this.switchOver(req);
    else if (req.phase === 'rollback' && phase !== 'done' && phase !== 'rolled-back') void this.rollBack(req);
  }

  checkWarm(): void {
    const m = this.current;
    if (m?.phase !== 'warming' || ![...this.standbys.values()].every((s) => s.state.phase === 'warm')) return;
    Object.assign(m, { phase: 'warm', warmAt: Date.now() });
    this.host.log(`migration ${m.id}: every standby warm in ${m.warmAt! - m.startedAt} ms`);
    this.host.save();
  }

  /**
   * The switch: the old workers of the nodes that change stop gracefully (sources end, what is in flight goes
   * through, offsets and changelogs are committed, the consumers leave their groups), then the standbys join the
   * groups and continue from those commits.
   */
  private async switchOver(req: MigrationRequest): Promise<void> {
    const mig = this.current!;
    Object.assign(mig, { phase: 'switching', switchStartedAt: Date.now() });
    this.host.save();
    const old = [...req.replace, ...req.retire].flatMap((id) => {
      const m = this.host.managed.get(id);
      return m ? [m] : [];
    });
    // Workers that stay, in a group that changes members, are held first (handover.ts): the rebalance then moves no
    // record in flight.
    this.held = sharersOf(this.host.plan()!, this.nextPlan!, [...req.replace, ...req.retire], [...this.host.managed.values()].map((m) => m.state));
    if (this.held.length > 0) {
      this.host.log(`migration ${mig.id}: switching: holding ${describeSharers(this.held)} while the group changes`);
      const failed = await holdSharers(this.held, HOLD_TIMEOUT_MS).then(() => null, (e: unknown) => (e instanceof Error ? e.message : String(e)));
      if (failed !== null && this.current?.phase === 'switching') {
        Object.assign(mig, { phase: 'failed', detail: failed });
        this.host.save();
        return;
      }
    }
    this.host.log(`migration ${mig.id}: switching: stopping ${old.map((m) => m.spec.id).join(', ') || 'nothing'}`);
    await Promise.all(old.map((m) => this.host.stop(m)));
    if (this.current?.phase !== 'switching') {
      // Rolled back while they stopped: they run again on the old plan.
      for (const m of old) this.host.spawn(m);
      return;
    }
    for (const m of old) {
      this.host.managed.delete(m.spec.id);
      this.stoppedBySwitch.set(m.spec.id, m);
    }
    this.switchedOn = true;
    for (const m of this.standbys.values()) m.child?.kill('SIGUSR2');
    this.host.log(`migration ${mig.id}: old workers stopped in ${Date.now() - mig.switchStartedAt!} ms; standbys switched on`);
    this.checkSwitched();
  }

  /** Once every standby is ready after its switch: they are the node workers, the new plan is plan.json. */
  checkSwitched(): void {
    const mig = this.current;
    if (mig?.phase !== 'switching' || !this.switchedOn || ![...this.standbys.values()].every((s) => s.state.phase === 'ready')) return;
    this.switchedOn = false;
    writeJsonAtomic(this.host.paths.plan, this.nextPlan);
    this.host.setPlan(this.nextPlan!);
    for (const [node, m] of this.standbys) {
      Object.assign(m, { planFile: undefined, standby: false });
      m.state.standby = undefined;
      this.host.managed.set(node, m);
    }
    this.standbys.clear();
    this.stoppedBySwitch.clear();
    this.held = []; // each fetches again once the group has rebalanced
    Object.assign(mig, { phase: 'done', doneAt: Date.now() });
    this.host.log(`migration ${mig.id}: done; switched in ${mig.doneAt! - mig.switchStartedAt!} ms`);
    this.host.save();
  }

  /** Back to the old placement: standbys (and what they started) stop, the old workers run again. */
  private async rollBack(req: MigrationRequest): Promise<void> {
    const mig = this.current;
    if (!mig) return;
    this.host.log(`migration ${mig.id}: rolling back: ${req.reason ?? 'asked to'}`);
    mig.phase = 'failed';
    mig.detail ??= req.reason;
    const standbys = [...this.standbys.values()];
    await Promise.all(standbys.map((m) => this.host.stop(m)));
    this.standbys.clear();
    this.switchedOn = false;
    await releaseSharers(this.held.splice(0));
    for (const [id, m] of this.stoppedBySwitch) {
      this.host.managed.set(id, m);
      this.host.log(`migration ${mig.id}: restarting ${id} on the old plan`);
      this.host.spawn(m);
    }
    this.stoppedBySwitch.clear();
    this.nextPlan = null;
    Object.assign(mig, { phase: 'rolled-back', doneAt: Date.now() });
    this.host.save();
  }
}
