// How the supervisor starts one worker: as a plain process (the default), or as a container with its node's cpu
// and memory enforced (container-launcher.ts). Both hand back a child process whose stdout carries the worker's
// control lines and which exits when the worker does, so supervision, backoff and state are the same for both.
import { spawn, type ChildProcess } from 'node:child_process';
import { missingNodeFlags, workerEnv } from '../../runtime/process-tuning.js';
import { inCgroup } from './cpu-quota.js';
import type { WorkerProcessSpec } from './processes.js';
import type { WorkerState } from './state.js';

/** How this program is started again: node, its flags (e.g. --import tsx) and the CLI entry script. */
export interface CliInvocation {
  execPath: string;
  args: string[];
}

export const thisCli = (): CliInvocation => ({ execPath: process.execPath, args: [...process.execArgv, process.argv[1]!] });

/** Why a worker ended, as far as the launcher can tell beyond its exit code. */
export interface ExitCause {
  oomKilled: boolean;
  /** One line for status and logs when the cause is not in the worker's own log (an OOM kill). */
  detail?: string;
}

export interface WorkerLauncher {
  readonly kind: 'process' | 'container';
  /** Starts the worker with `args` (after `tierflow`); stderr goes to `logFd`, stdout is piped. */
  start(spec: WorkerProcessSpec, args: string[], logFd: number): ChildProcess;
  /** What state.json records of the running worker beyond the child's pid (a container's name, host pid, limits). */
  describe(spec: WorkerProcessSpec): Promise<WorkerState['container']>;
  /** After the child exited: why, and whatever it left behind removed. */
  reap(spec: WorkerProcessSpec): Promise<ExitCause | null>;
  /** Last resort once a graceful stop timed out. */
  kill(spec: WorkerProcessSpec, child: ChildProcess): void;
}

export class ProcessLauncher implements WorkerLauncher {
  readonly kind = 'process';

  /** `cores`: CPUs by node (`0`, `0-1`, `0,2`); such a node's workers start under `taskset -c`, which execs them, so the
   *  child's pid is the worker's and every thread it starts inherits the CPUs. `quotas`: the cgroup (cpu-quota.ts)
   *  each node's workers start in, for deploy --cpu-quota. */
  constructor(
    private readonly cli: CliInvocation,
    private readonly cores: Record<string, string> = {},
    private readonly quotas: Record<string, string> = {},
  ) {}

  start(spec: WorkerProcessSpec, args: string[], logFd: number): ChildProcess {
    const command = [this.cli.execPath, ...missingNodeFlags(this.cli.args), ...this.cli.args, ...args];
    const cpus = this.cores[spec.node];
    const pinned = cpus ? ['taskset', '-c', cpus, ...command] : command;
    const quota = this.quotas[spec.node];
    const [file, ...rest] = quota ? inCgroup(quota, pinned) : pinned;
    return spawn(file!, rest, { env: workerEnv(), stdio: ['ignore', 'pipe', logFd] });
  }

  async describe(): Promise<undefined> {
    return undefined;
  }

  async reap(): Promise<null> {
    return null;
  }

  kill(_spec: WorkerProcessSpec, child: ChildProcess): void {
    child.kill('SIGKILL');
  }
}
