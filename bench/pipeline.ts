// Pipeline throughput on the Hamilton clip, every mode in one run on the same machine and broker: the bare loop,
// `tierflow run` on the embedded backbone and on Kafka, each with one and with two replicas of the heavy chain.
// Each mode runs as its own process, `--reps` times, and reports its own peak RSS (VmHWM, runtime/peak-rss.ts); medians are reported, with ratios to
// the bare loop. Every mode's process gets the memory settings of a deployed worker (runtime/process-tuning.ts),
// the bare loop too, so RSS compares like with like. Two cameras play the clip, so two replicas have two partitions' worth of work to share.
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { median, runNode } from './node-run.js';
import { repoRoot } from '../test/helpers/paths.js';
import { CLIP, writeClipTopology } from '../test/helpers/clip-topology.js';

interface ModeResult {
  mode: string;
  fps: number;
  e2eLatencyMs: { p50: number; p99: number };
  rssMB: number;
}

const FPS = 30;
/**
 * Each camera plays the clip this many times (--plays N): one play is ~8 s per pipeline mode, of which the first
 * ~2 s go to JIT-compiling the same modules in up to five isolates and filling the queues; three plays measure
 * the steady state the targets are about.
 */
const PLAYS = 3;
/** Records are keyed by camera (murmur2, as Kafka): these two names land on different partitions of two, so two replicas share the work. */
const CAMERA_NAMES = ['cam-1', 'cam-4'];
const CAMERAS = CAMERA_NAMES.length;


const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;

export async function run(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const reps = Number(args[args.indexOf('--reps') + 1]) || 3;
  const plays = Number(args[args.indexOf('--plays') + 1]) || PLAYS;
  const brokers = process.env['KAFKA_BROKERS'] ? process.env['KAFKA_BROKERS'].split(',') : undefined;
  // `--modes bare,embedded` runs a subset (quicker A/B runs while tuning); every mode by default.
  const only = args.includes('--modes') ? new Set(args[args.indexOf('--modes') + 1]!.split(',')) : null;
  const wanted = (mode: string) => !only || only.has(mode);
  const cli = join(repoRoot, 'dist', 'pipelines', 'cli', 'main.js');
  const stamp = Date.now().toString(36);
  const topologies: Array<{ mode: string; file?: string; dir?: string }> = wanted('bare') ? [{ mode: 'bare' }] : [];
  for (const [backbone, replicas] of [['embedded', 1], ['kafka', 1], ['embedded', 2], ['kafka', 2]] as const) {
    if (backbone === 'kafka' && !brokers) continue;
    const mode = replicas === 1 ? backbone : `${backbone}-2-replicas`;
    if (!wanted(mode)) continue;
    for (let r = 0; r < reps; r++) {
      // Kafka topics keep their records, so every repetition gets its own topology name.
      const t = await writeClipTopology({
        name: `bench-${mode}-${stamp}-${r}`,
        backbone: backbone === 'kafka' ? { type: 'kafka', brokers: brokers! } : { type: 'embedded' },
        cameraNames: CAMERA_NAMES,
        fps: FPS,
        replicas,
        plays,
      });
      topologies.push({ mode, ...t });
    }
  }
  const samples = new Map<string, ModeResult[]>();
  for (let r = 0; r < reps; r++) {
    for (const mode of [...new Set(topologies.map((t) => t.mode))]) {
      let out: Record<string, unknown>;
      if (mode === 'bare') out = lastJson(await runNode([join(repoRoot, 'dist', 'bench', 'bare-loop.js'), String(FPS), String(plays), ...Array(CAMERAS).fill(CLIP)]));
      else {
        const t = topologies.filter((x) => x.mode === mode)[r]!;
        out = lastJson(await runNode([cli, 'run', t.file!, '--json', '--until-sources-end', '--data-dir', t.dir!]));
      }
      const result = { mode, fps: out['fps'] as number, e2eLatencyMs: out['e2eLatencyMs'] as ModeResult['e2eLatencyMs'], rssMB: out['rssMB'] as number };
      samples.set(mode, [...(samples.get(mode) ?? []), result]);
      process.stderr.write(`rep ${r + 1}/${reps} ${mode}: ${result.fps.toFixed(1)} fps, p50 ${Math.round(result.e2eLatencyMs.p50)} ms, rss ${result.rssMB} MB\n`);
    }
  }
  for (const t of topologies) if (t.dir) rmSync(t.dir, { recursive: true, force: true });

  const results: ModeResult[] = [...samples].map(([mode, xs]) => ({
    mode,
    fps: Math.round(median(xs.map((x) => x.fps)) * 10) / 10,
    e2eLatencyMs: { p50: Math.round(median(xs.map((x) => x.e2eLatencyMs.p50))), p99: Math.round(median(xs.map((x) => x.e2eLatencyMs.p99))) },
    rssMB: Math.round(median(xs.map((x) => x.rssMB))),
  }));
  const bare = results.find((r) => r.mode === 'bare')?.fps ?? NaN;
  console.log(`pipeline on short_hamilton_clip.mp4 x ${CAMERAS} cameras at ${FPS} fps, played ${plays}x, medians of ${reps} runs${brokers ? '' : ' (no KAFKA_BROKERS: Kafka modes skipped)'}`);
  console.log(`  ${'MODE'.padEnd(22)} ${'FPS'.padStart(7)} ${'x BARE'.padStart(7)} ${'P50 MS'.padStart(8)} ${'P99 MS'.padStart(8)} ${'RSS MB'.padStart(7)}`);
  for (const r of results) {
    console.log(
      `  ${r.mode.padEnd(22)} ${r.fps.toFixed(1).padStart(7)} ${(r.fps / bare).toFixed(2).padStart(7)} ${String(r.e2eLatencyMs.p50).padStart(8)} ${String(r.e2eLatencyMs.p99).padStart(8)} ${String(r.rssMB).padStart(7)}`,
    );
  }
  console.log('  (latency under saturation: the file is read as fast as the pipeline takes it, so queueing dominates p99)');
  if (json) console.log(JSON.stringify({ bench: 'pipeline', results }));
}
