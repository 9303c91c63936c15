// `npm run bench -- plan [--json] [--reps N] [--sizes 100,1000,10000]`: validate + plan of a generated city
// topology (bench/city-topology.ts) with N camera nodes and N cameras, as `tierflow plan --json` does it: read
// and parse the file, validate, place, derive chains/topics/traffic, serialise the plan. Each size and rep runs
// in a child process of its own, so its peak RSS (VmHWM from /proc/<pid>/status, read by the child as it ends)
// is that plan's alone. Medians over the reps. With --json the last line is {"bench":"plan","results":[...]}.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { cityTopology } from './city-topology.js';

interface Result {
  nodes: number;
  cameras: number;
  ms: number;
  /** CPU time (user + system) of the same span: on a shared, loaded machine wall time overstates the work. */
  cpuMs: number;
  rssMB: number;
  placements: number;
  planMB: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function run(args: string[]): Promise<void> {
  if (args[0] === '--child') return child(args[1]!);
  const json = args.includes('--json');
  const reps = Number(option(args, '--reps') ?? 3);
  const sizes = (option(args, '--sizes') ?? '100,1000,10000').split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'tierflow-bench-plan-'));
  const results: Result[] = [];
  try {
    for (const cameras of sizes) {
      const file = join(dir, `city-${cameras}.yaml`);
      writeFileSync(file, cityTopology({ cameras }));
      const runs: Result[] = [];
      for (let r = 0; r < reps; r++) runs.push(await inChild(file));
      const first = runs[0]!;
      results.push({ ...first, ms: Math.round(median(runs.map((x) => x.ms))), cpuMs: Math.round(median(runs.map((x) => x.cpuMs))), rssMB: Math.round(median(runs.map((x) => x.rssMB))) });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`validate + plan of a generated city topology (one camera per device node), medians of ${reps} runs, one process each`);
  console.log(`${'NODES'.padEnd(8)}${'CAMERAS'.padEnd(9)}${'MS'.padEnd(8)}${'CPU MS'.padEnd(8)}${'RSS MB'.padEnd(8)}${'PLACEMENTS'.padEnd(12)}PLAN MB`);
  for (const r of results) console.log(`${String(r.nodes).padEnd(8)}${String(r.cameras).padEnd(9)}${String(r.ms).padEnd(8)}${String(r.cpuMs).padEnd(8)}${String(r.rssMB).padEnd(8)}${String(r.placements).padEnd(12)}${r.planMB}`);
  if (json) console.log(JSON.stringify({ bench: 'plan', results }));
}

function inChild(file: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const main = fileURLToPath(new URL('./main.js', import.meta.url));
    const c = spawn(process.execPath, [main, 'plan', '--child', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as Result) : reject(new Error(`plan bench child exited ${code}`))));
  });
}

async function child(file: string): Promise<void> {
  const { compileTopology } = await import('../pipelines/cli/compile.js');
  // As the CLI does at start, before anything is timed.
  await (await import('../pipelines/registry.js')).installBuiltinOperators();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { valid, plan } = await compileTopology(file);
  const text = JSON.stringify(plan, null, 2);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  const t = valid.topology;
  const result: Result = { nodes: t.nodes.length, cameras: t.sources.length, ms, cpuMs: (cpu.user + cpu.system) / 1000, rssMB: Number(hwm ?? 0) / 1024, placements: plan.placements.length, planMB: Math.round((text.length / 1e6) * 10) / 10 };
  console.log(JSON.stringify(result));
}
