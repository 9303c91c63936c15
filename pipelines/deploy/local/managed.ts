// A worker the supervisor runs: its process (or container), its state as status shows it, and what a restart or a
// stop needs to know.
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { ExitCause } from './launcher.js';
import type { WorkerProcessSpec } from './processes.js';
import type { WorkerState } from './state.js';

export interface Managed {
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

/** A worker not started yet. */
export function newManaged(spec: WorkerProcessSpec, log: string): Managed {
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
