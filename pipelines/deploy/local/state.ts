// What a local deploy leaves on disk, under <stateDir>/<topology>/: the plan the workers run, what the user asked
// for (desired.json, written by deploy and scale) and what the supervisor observed (state.json, written only by
// the supervisor). One writer per file, each replaced atomically, so readers never see half a file.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TierflowError } from '../../errors.js';
import type { ContainerSettings } from './podman.js';
import type { PlacementSpec } from '../../topology/schema.js';
import type { NodeAccess } from '../../plan/access.js';
import type { MirrorState } from './mirrors.js';

export const DEFAULT_STATE_ROOT = '.tierflow/deploy';

/** Written by `deploy` and `scale`; the supervisor reconciles towards it on start and on SIGHUP. */
export interface DesiredState {
  topology: string;
  /** Absolute path of the topology file deployed. */
  file: string;
  brokers: string[];
  /** Replicas per chain id, where they differ from the plan (scale). */
  replicas: Record<string, number>;
  /** Bumped by every change; the supervisor applies each generation once. */
  generation: number;
  /** Process ids to restart gracefully when this generation is applied (e.g. producers after partitions were added). */
  restart: string[];
  /** Set by `deploy --target containers`: each worker runs in this image with its node's limits. */
  containers?: ContainerSettings;
  /** Per node, the file holding its own Kafka credential (least privilege, on an authorizing broker); absent: the
   *  workers share the topology's credential. */
  credentials?: Record<string, string>;
  /** Placements `migrate` made, by operator: applied over the topology's own by every later re-plan. */
  pins?: Record<string, PlacementSpec>;
  /** Replicas added beyond the plan's, by flow id (migrate --add-replica-on, the adaptive controller). */
  offload?: Record<string, string[]>;
  /** Set by `migrate` while it runs; the supervisor carries out its phase (see migrate.ts). */
  migration?: MigrationRequest;
  /** Migrations done, oldest first. */
  migrations?: MigrationRecord[];
  /** Set by `deploy --adaptive`: the supervisor's controller adds replicas further out under load (controller.ts). */
  adaptive?: AdaptivePolicy;
  /** `deploy --pin-cores`: the CPUs each node's workers run on (taskset), to emulate separate machines on one. */
  cores?: Record<string, string>;
  /** `deploy --cpu-quota`: each node's cgroup (cpu-quota.ts), whose quota its workers share. */
  cpuQuotas?: Record<string, string>;
  /** Node users of earlier plans (before migrations): undeploy revokes them too. */
  earlierAccess?: NodeAccess[];
}

/** When the adaptive controller acts: a chain over `maxLag` records of lag, or dropping more than `maxDropsPerSec`
 *  frames to stay fresh, for `forMs`, gains a replica; under a quarter of the lag and dropping none for
 *  `backAfterMs`, it loses it again. */
export interface AdaptivePolicy {
  maxLag: number;
  maxDropsPerSec: number;
  forMs: number;
  backAfterMs: number;
  intervalMs: number;
}

export interface ControllerDecision {
  at: number;
  chain: string;
  action: 'add-replica' | 'remove-replica' | 'none';
  node?: string;
  reason: string;
  /** 'done', or how it failed / why it was refused. */
  outcome?: string;
  /** How many times the same 'none' decision was taken in a row (the last one's figures are kept). */
  repeats?: number;
}

/** What `migrate` asks of the supervisor: warm standbys for `replace`, then the switch, or a rollback. */
export interface MigrationRequest {
  id: number;
  operator: string;
  /** Nodes the operator runs on before, and the target as asked (`fog-1`, `tier:fog`). */
  from: string[];
  to: string;
  /** The new plan (plan.json becomes it once the switch is through). */
  plan: string;
  /** Nodes whose worker runs other chains in the new plan: each gets a warm standby, which takes over at the switch. */
  replace: string[];
  /** Nodes of the old plan with no chain in the new one: their workers stop at the switch. */
  retire: string[];
  phase: 'warming' | 'switching' | 'rollback';
  /** Why a rollback was asked for. */
  reason?: string;
}

export interface MigrationRecord {
  id: number;
  operator: string;
  from: string[];
  to: string[];
  at: number;
  warmMs: number;
  switchMs: number;
}

/** How a migration stands, as the supervisor saw it (state.json). */
export interface MigrationState {
  id: number;
  operator: string;
  phase: 'warming' | 'warm' | 'switching' | 'done' | 'failed' | 'rolled-back';
  /** Since the request, ms: when every standby was warm and when the switch was through. */
  startedAt: number;
  warmAt?: number;
  switchStartedAt?: number;
  doneAt?: number;
  /** A failure's one line (a standby that exited, its last log line). */
  detail?: string;
}

/** `failed`: it ended with an error no restart can fix (its `fatal` line said so); it stays down. `warming`/`warm`:
 *  a migration's standby, loading and then waiting for the switch. */
export type WorkerPhase = 'starting' | 'ready' | 'backoff' | 'stopping' | 'failed' | 'warming' | 'warm';

export interface WorkerState {
  /** `<node>` for a node's worker, `<chain>#<n>` for an extra replica of a chain. */
  id: string;
  node: string;
  chain?: string;
  pid: number | null;
  phase: WorkerPhase;
  metrics?: string;
  status?: string;
  /** Times the supervisor restarted it after a crash. */
  restarts: number;
  /** When the current process started (ms), and when it last became ready. */
  startedAt: number;
  readyAt?: number;
  /** Whether it has ever been ready: a crash before that fails a deploy instead of being retried. */
  everReady: boolean;
  lastExit?: { at: number; code: number | null; signal: string | null; stderr: string; oomKilled?: boolean };
  /** A containerised worker: its container, the host pid of its first process, and the limits it runs under. */
  container?: { name: string; pid: number | null; cpus: number; memoryMB: number };
  /** The error the worker reported before it exited (its `fatal` control line). */
  fatal?: { code: string; retriable: boolean; message: string };
  nextStartAt?: number;
  log: string;
  /** A migration's warm standby (until its switch is through). */
  standby?: boolean;
}

/** Written by the supervisor whenever something changes. */
export interface SupervisorState {
  topology: string;
  supervisorPid: number;
  startedAt: number;
  generation: number;
  workers: WorkerState[];
  /** The latest migration, while it runs and after. */
  migration?: MigrationState;
  /** The adaptive controller's latest decisions, oldest first. */
  decisions?: ControllerDecision[];
  /** MirrorMaker 2 processes, with sites. */
  mirrors?: MirrorState[];
}

export interface DeployPaths {
  dir: string;
  plan: string;
  desired: string;
  state: string;
  logs: string;
  data: string;
  supervisorLog: string;
}

export function deployPaths(stateRoot: string, topology: string): DeployPaths {
  const dir = resolve(stateRoot, topology);
  return {
    dir,
    plan: join(dir, 'plan.json'),
    desired: join(dir, 'desired.json'),
    state: join(dir, 'state.json'),
    logs: join(dir, 'logs'),
    data: join(dir, 'data'),
    supervisorLog: join(dir, 'logs', 'supervisor.log'),
  };
}

/** Replaces a JSON file atomically (write beside it, then rename). */
export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}

export function readJson<T>(file: string): T | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

export function ensureDirs(paths: DeployPaths): void {
  for (const d of [paths.dir, paths.logs, paths.data]) mkdirSync(d, { recursive: true });
}

export function readDesired(paths: DeployPaths): DesiredState {
  const d = readJson<DesiredState>(paths.desired);
  if (!d) throw new TierflowError('DEPLOY_STATE', `no local deploy state in ${paths.dir}`, { exitCode: 1 });
  return d;
}

/** Whether a process with this pid exists (signal 0 probes without signalling). */
export function alive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A pid still belongs to this deploy when its command line names the deploy's folder (guards against pid reuse). */
export function ownedBy(pid: number, dir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
  } catch {
    return alive(pid);
  }
}
