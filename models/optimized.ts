// Models opened from a graph optimised beforehand on this machine. onnxruntime's full optimisations (NCHWc
// layouts, fused convolutions) make the recognition net ~45 % faster, but applied at session creation they hold
// the source and the transformed weights at once: +104 MB RSS for the recognition net, against +56 MB for the
// same optimised graph saved once and opened with optimisations off, at the same speed (5.2 ms per face).
// The saved graph is specific to the CPU (NCHWc block size) and the onnxruntime version, so it is made where it
// runs, by a child process that checks it against the source before renaming it into place, and cached under a
// key of both. Anything that goes wrong falls back to optimising at load, with one line on stderr.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelsDir, PROBE_INPUT, type ModelName } from './catalog.js';

const ortVersion = (): string => {
  const require = createRequire(import.meta.url);
  return (JSON.parse(readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string }).version;
};

/** What the optimised graph depends on besides the source model: the CPU's instruction sets and onnxruntime. */
function machineKey(): string {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    // not Linux: the CPU model name stands in for its flags
  }
  return `${process.arch} ${cpu} onnxruntime-node@${ortVersion()}`;
}

function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** models/onnx/optimized/, or a per-user folder in the temp dir when the models folder is read-only (an image). */
export function optimizedDir(): string | null {
  const candidates = [process.env.TIERFLOW_OPTIMIZED_MODELS_DIR, join(modelsDir(), 'optimized'), join(tmpdir(), `tierflow-optimized-models-${process.getuid?.() ?? 'user'}`)];
  return candidates.find((d): d is string => d !== undefined && writable(d)) ?? null;
}

export function optimizedPath(dir: string, name: ModelName, sourceSha: string): string {
  const key = createHash('sha256').update(`${sourceSha} ${machineKey()}`).digest('hex').slice(0, 16);
  return join(dir, `${name}.${key}.onnx`);
}

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'optimize-child.js');

function optimizeInChild(source: string, target: string, name: ModelName): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CHILD, source, target, JSON.stringify(PROBE_INPUT[name])], { timeout: 120_000 }, (err, stdout) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      let result: { ok?: boolean; error?: string } = {};
      try {
        result = JSON.parse(line) as typeof result;
      } catch {
        // a crash prints no JSON
      }
      if (result.ok) resolve();
      else reject(new Error(result.error ?? err?.message.split('\n')[0] ?? 'optimiser printed nothing'));
    });
  });
}

const pending = new Map<string, Promise<void>>();
const warned = new Set<string>();

/** Path of the optimised graph for this machine, made if missing; null (with one warning) when it cannot be made. */
export async function ensureOptimized(name: ModelName, source: string, sourceSha: string): Promise<string | null> {
  const dir = optimizedDir();
  if (!dir) return warnOnce(name, 'no writable folder for optimised models');
  const target = optimizedPath(dir, name, sourceSha);
  if (existsSync(target)) return target;
  let p = pending.get(target);
  if (!p) {
    p = optimizeInChild(source, target, name);
    pending.set(target, p);
    void p.finally(() => pending.delete(target)).catch(() => undefined);
  }
  try {
    await p;
    return target;
  } catch (e) {
    return warnOnce(name, (e as Error).message);
  }
}

function warnOnce(name: ModelName, why: string): null {
  if (!warned.has(name)) {
    warned.add(name);
    process.stderr.write(`tierflow: ${name} not pre-optimised for this CPU (${why}); optimising at load, which holds ~2x its weights\n`);
  }
  return null;
}
