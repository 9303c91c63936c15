// What the benchmarks share: running a tierflow process (a CLI command or a bench script) with the flags and
// environment a worker gets, and the median of several runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { missingNodeFlags, workerEnv } from '../pipelines/runtime/process-tuning.js';
import { repoRoot } from '../test/helpers/paths.js';

/** Resolves a child's stdout and stderr once it exits 0; rejects with the last stderr lines otherwise. */
function collect(child: ChildProcess, what: string, lastLines: number): Promise<{ out: string; err: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ out, err }) : reject(new Error(`${what} exited ${code}: ${err.trim().split('\n').slice(-lastLines).join(' | ')}`))));
  });
}

/** Runs `node <args>` from the repository root; resolves its stdout, rejects with the last stderr lines on failure. */
export async function runNode(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const child = spawn(process.execPath, [...missingNodeFlags(args), ...args], { env: { ...workerEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: repoRoot });
  return (await collect(child, args.join(' '), 3)).out;
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * As runNode, and the CPU time the process and every process it waited for (ffmpeg) used, from bash's `times`:
 * Node has no way to read its children's rusage.
 */
export async function runNodeTimed(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ out: string; cpuMs: number }> {
  const script = '"$@"; s=$?; times >&2; exit $s';
  const child = spawn('bash', ['-c', script, 'run', process.execPath, ...missingNodeFlags(args), ...args], { env: { ...workerEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: repoRoot });
  const { out, err } = await collect(child, args.join(' '), 5);
  // The last line of `times` is the children's user and system time: 1m2.345s 0m5.678s.
  const ms = (t: string) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    return m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : NaN;
  };
  const [user, system] = err.trim().split('\n').at(-1)!.trim().split(/\s+/);
  return { out, cpuMs: Math.round(ms(user!) + ms(system!)) };
}
