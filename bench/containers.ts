// What the thesis claims for containers, measured side by side in one run on the same machine and broker:
// - imageMB: the worker image's size (podman image inspect);
// - workerRssMB, readyMs: the gateway worker of a deployed clip topology (detect -> embed -> match), deployed as
//   processes (`deploy --target local`) and as containers (`--target containers`): its peak RSS (VmHWM in
//   /proc/<pid>/status of the worker itself; for a container, its first process, State.Pid on the host) after
//   --seconds of frames, and the time from its start to its ready line (models loaded, consumer joined);
// - replicasIn4GB: how many such containerised gateway workers 4 GB holds, by that peak;
// - fpsRatio: `tierflow run` of the same topology saturated (the clip read as fast as it is taken), in a container
//   of the image against a process, alternating, each --reps times; the ratio of the median fps.
// Everything runs as the CLI a user runs; the image must have been built (infra/containers/build.sh).
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { missingNodeFlags, workerEnv } from '../pipelines/runtime/process-tuning.js';
import { readJson, type SupervisorState } from '../pipelines/deploy/local/state.js';
import { DEFAULT_WORKER_IMAGE, imageExists, podman, podmanCommand } from '../pipelines/deploy/local/podman.js';
import { repoRoot, sharedData } from '../test/helpers/paths.js';
import { writeClipTopology } from '../test/helpers/clip-topology.js';

type Mode = 'process' | 'container';
const MODES: Mode[] = ['process', 'container'];
const cli = join(repoRoot, 'dist', 'pipelines', 'cli', 'main.js');

function runCommand(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: repoRoot });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} ${args.slice(0, 4).join(' ')} exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}

const tierflow = (args: string[]) => runCommand(process.execPath, [...missingNodeFlags([]), cli, ...args], workerEnv());
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const vmHwmMB = (pid: number) => Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** One saturated `tierflow run` of `file`, as a process or in a container of `image` with no limits (both may use
 *  every core), the same arguments either way; its fps and its own peak RSS. */
async function runPipeline(mode: Mode, file: string, dataDir: string, image: string): Promise<{ fps: number; rssMB: number }> {
  const args = ['run', file, '--json', '--until-sources-end', '--data-dir', dataDir];
  let out: string;
  if (mode === 'process') out = await tierflow(args);
  else {
    const p = podmanCommand();
    const mounts = [dirname(file), join(sharedData, 'video')].flatMap((d) => ['--volume', `${d}:${d}`]);
    out = await runCommand(p.file, [...p.args, 'run', '--rm', '--network', 'host', '--user', `${process.getuid?.() ?? 0}`, ...mounts, image, ...args], p.env);
  }
  const j = lastJson(out);
  return { fps: j['fps'] as number, rssMB: j['rssMB'] as number };
}

/** Deploys `file` as processes or containers, lets frames flow for `seconds`, reads the gateway worker. */
async function deployGateway(mode: Mode, file: string, stateDir: string, image: string, seconds: number): Promise<{ rssMB: number; readyMs: number }> {
  const target = mode === 'process' ? ['--target', 'local'] : ['--target', 'containers', '--image', image];
  const out = lastJson(await tierflow(['deploy', file, ...target, '--json', '--state-dir', stateDir]));
  const topology = out['topology'] as string;
  try {
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const state = readJson<SupervisorState>(join(stateDir, topology, 'state.json'))!;
    const g = state.workers.find((w) => w.id === 'gateway')!;
    const pid = mode === 'process' ? g.pid! : g.container!.pid!;
    if (g.restarts > 0) throw new Error(`gateway ${mode} worker restarted ${g.restarts} times: ${g.lastExit?.stderr}`);
    return { rssMB: vmHwmMB(pid), readyMs: g.readyAt! - g.startedAt };
  } finally {
    await tierflow(['undeploy', topology, '--state-dir', stateDir]);
  }
}

export async function run(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const opt = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
  const reps = opt('--reps', 3);
  const seconds = opt('--seconds', 30);
  const plays = opt('--plays', 2);
  const image = args.includes('--image') ? args[args.indexOf('--image') + 1]! : DEFAULT_WORKER_IMAGE;
  const brokers = process.env['KAFKA_BROKERS']?.split(',');
  if (!brokers) throw new Error('containers bench: KAFKA_BROKERS is not set (npm run bench starts a broker)');
  if (!(await imageExists(image))) throw new Error(`containers bench: no image ${image}: build it with infra/containers/build.sh`);
  const imageMB = Math.round(Number((await podman(['image', 'inspect', '--format', '{{.Size}}', image])).trim()) / 1e6);
  const stamp = Date.now().toString(36);
  const dirs: string[] = [];
  const deploySamples: Record<Mode, Array<{ rssMB: number; readyMs: number }>> = { process: [], container: [] };
  const runSamples: Record<Mode, Array<{ fps: number; rssMB: number }>> = { process: [], container: [] };
  try {
    for (let r = 0; r < reps; r++) {
      // Modes alternate, and their order flips every repetition, so neither always runs on a warmer machine.
      const order = r % 2 === 0 ? MODES : [...MODES].reverse();
      for (const mode of order) {
        const t = await writeClipTopology({ name: `bench-ctr-${mode}-${stamp}-${r}`, backbone: { type: 'kafka', brokers }, cameraNames: ['cam-1'], fps: 10, plays: 1000 });
        dirs.push(t.dir);
        const d = await deployGateway(mode, t.file, join(t.dir, 'state'), image, seconds);
        deploySamples[mode].push(d);
        process.stderr.write(`rep ${r + 1}/${reps} deploy ${mode}: gateway ready in ${d.readyMs} ms, VmHWM ${d.rssMB.toFixed(0)} MB\n`);
      }
      for (const mode of order) {
        const t = await writeClipTopology({ name: `bench-ctr-run-${mode}-${stamp}-${r}`, backbone: { type: 'kafka', brokers }, cameraNames: ['cam-1', 'cam-4'], fps: 30, plays });
        dirs.push(t.dir);
        const p = await runPipeline(mode, t.file, join(t.dir, 'data'), image);
        runSamples[mode].push(p);
        process.stderr.write(`rep ${r + 1}/${reps} run ${mode}: ${p.fps.toFixed(1)} fps, rss ${p.rssMB} MB\n`);
      }
    }
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  const med = <K extends string>(xs: Array<Record<K, number>>, k: K) => median(xs.map((x) => x[k]));
  const rss = { process: Math.round(med(deploySamples.process, 'rssMB')), container: Math.round(med(deploySamples.container, 'rssMB')) };
  const ready = { process: Math.round(med(deploySamples.process, 'readyMs')), container: Math.round(med(deploySamples.container, 'readyMs')) };
  const fps = { process: med(runSamples.process, 'fps'), container: med(runSamples.container, 'fps') };
  const replicasIn4GB = Math.floor(4096 / rss.container);
  const fpsRatio = Math.round((fps.container / fps.process) * 100) / 100;

  console.log(`containers: image ${image}, medians of ${reps} runs (deploys: ${seconds} s of frames at 10 fps; runs: 2 cameras saturated, ${plays} plays)`);
  console.log(`  ${'METRIC'.padEnd(34)} ${'PROCESS'.padStart(9)} ${'CONTAINER'.padStart(9)}`);
  console.log(`  ${'image size, MB'.padEnd(34)} ${'-'.padStart(9)} ${String(imageMB).padStart(9)}`);
  console.log(`  ${'gateway worker peak RSS, MB'.padEnd(34)} ${String(rss.process).padStart(9)} ${String(rss.container).padStart(9)}`);
  console.log(`  ${'gateway worker start->ready, ms'.padEnd(34)} ${String(ready.process).padStart(9)} ${String(ready.container).padStart(9)}`);
  console.log(`  ${'gateway workers in 4 GB'.padEnd(34)} ${String(Math.floor(4096 / rss.process)).padStart(9)} ${String(replicasIn4GB).padStart(9)}`);
  console.log(`  ${'pipeline fps (tierflow run)'.padEnd(34)} ${fps.process.toFixed(1).padStart(9)} ${fps.container.toFixed(1).padStart(9)}   ratio ${fpsRatio.toFixed(2)}`);
  console.log(`  ${'pipeline peak RSS, MB'.padEnd(34)} ${String(Math.round(med(runSamples.process, 'rssMB'))).padStart(9)} ${String(Math.round(med(runSamples.container, 'rssMB'))).padStart(9)}`);
  if (json) {
    const results = [
      { metric: 'imageMB', value: imageMB },
      ...MODES.map((mode) => ({ metric: 'workerRssMB', mode, value: rss[mode] })),
      ...MODES.map((mode) => ({ metric: 'readyMs', mode, value: ready[mode] })),
      { metric: 'replicasIn4GB', value: replicasIn4GB },
      { metric: 'fpsRatio', value: fpsRatio },
    ];
    console.log(JSON.stringify({ bench: 'containers', results }));
  }
}
