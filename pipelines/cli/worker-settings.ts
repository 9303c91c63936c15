// `run` and `demo` host workers in this process, so they get the memory settings a deployed worker starts with
// (runtime/process-tuning.ts: about 60 MB less peak RSS on a 30 s run). Those must be in place when the process
// starts, so when they are missing the command starts itself again with them and passes on its exit code.
// Ctrl-C reaches both processes through the terminal's process group; SIGTERM and SIGHUP are passed on; the
// started process stops gracefully if this one disappears (its IPC channel closes).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { missingNodeFlags, WORKER_ENV, workerEnv } from '../runtime/process-tuning.js';

const HOSTING_COMMANDS = new Set(['run', 'demo']);
/** Marks the started process, so it never starts another. */
const RELAUNCHED = 'TIERFLOW_RELAUNCHED';

/** Whether `argv` (process.argv) runs a command that hosts workers in a process started without the worker settings. */
export function needsWorkerSettings(argv: readonly string[], execArgv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  if (!HOSTING_COMMANDS.has(argv[2] ?? '') || env[RELAUNCHED] === '1') return false;
  return Object.keys(WORKER_ENV).some((k) => env[k] === undefined) || missingNodeFlags(execArgv, env).length > 0;
}

/** Starts this command again with the worker settings; resolves with its exit code. */
export function relaunchWithWorkerSettings(argv: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...missingNodeFlags(process.execArgv), ...argv.slice(1)], {
    env: { ...workerEnv(), [RELAUNCHED]: '1' },
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  const pass = (signal: NodeJS.Signals) => () => void child.kill(signal);
  const handlers: Array<[NodeJS.Signals, () => void]> = [
    ['SIGINT', () => undefined],
    ['SIGTERM', pass('SIGTERM')],
    ['SIGHUP', pass('SIGHUP')],
  ];
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const [s, handler] of handlers) process.off(s, handler);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

/** In a relaunched process: stop gracefully (as on SIGTERM) when the process that started it is gone. */
export function followLauncher(env: NodeJS.ProcessEnv = process.env): void {
  if (env[RELAUNCHED] !== '1' || !process.channel) return;
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
