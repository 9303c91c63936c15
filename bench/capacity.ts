// Cameras per gateway: live cameras (the clip looped at 5 fps, 640x360, read at its own pace) are added to one
// `tierflow run` process (the whole flow on one node: decode, detect, embed, match, aggregate) until it can no
// longer keep every camera's p99 latency (capture to match) under 1 s without dropping frames. Modes: tierflow
// with tracking off (every frame detected, every face embedded) and on (tracks, a detection interval, still scenes
// skipped); the bare loop's capacity is its fps on the same clip at 5 fps, divided by 5. Camera counts are searched
// by doubling, then halving the gap between the last that held and the first that did not.
import { dirname, join } from 'node:path';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { median, runNode, runNodeTimed } from './node-run.js';
import { repoRoot } from '../test/helpers/paths.js';
import { CLIP, writeClipTopology } from '../test/helpers/clip-topology.js';

const FPS = 5;
const BOUND_MS = 1000;

interface Step {
  cameras: number;
  p99Ms: number;
  dropped: number;
  /** Identities reported per camera (their counts: fewest, most). */
  identities: [number, number];
  names: string[];
  held: boolean;
  /** Where the time went: per operator, wall ms in its process calls per frame the cameras offered, and records in. */
  profile: Array<{ operator: string; msPerFrame: number; recordsIn: number }>;
  /** CPU ms per frame offered: the tierflow process (all threads) and the ffmpeg processes decoding the cameras. */
  cpu: { tierflow: number; ffmpeg: number };
}

interface ModeResult {
  mode: 'bare' | 'untracked' | 'tracked';
  cameras: number;
  p99Ms: number;
  identitiesPerCamera: number;
  steps: Step[];
}

/** detect's config per mode; TIERFLOW_CAPACITY_TRACKED overrides the tracked one (to compare settings). */
const MODES: Record<'untracked' | 'tracked', string> = {
  untracked: '{ tracking: { enabled: false } }',
  tracked: process.env['TIERFLOW_CAPACITY_TRACKED'] ?? '{ tracking: { enabled: true, interval: 3 } }',
} as const;

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;

async function step(mode: 'untracked' | 'tracked', cameras: number, plays: number): Promise<Step> {
  const t = await writeClipTopology({
    name: `capacity-${mode}-${cameras}`,
    backbone: { type: 'embedded' },
    cameras,
    fps: FPS,
    layout: 'single-node',
    realtime: true,
    plays,
    maxLatencyMs: BOUND_MS,
    detectConfig: MODES[mode],
  });
  try {
    const run = await runNodeTimed([join(repoRoot, 'dist', 'pipelines', 'cli', 'main.js'), 'run', t.file, '--json', '--until-sources-end', '--data-dir', t.dir]);
    const out = lastJson(run.out);
    const p99Ms = (out['e2eLatencyMs'] as { p99: number }).p99;
    const dropped = out['dropped'] as number;
    const ids = out['identities'] as Record<string, string[]>;
    const counts = Array.from({ length: cameras }, (_, i) => ids[`cam-${i + 1}`]?.length ?? 0);
    const names = [...new Set(Object.values(ids).flat())].sort();
    const frames = out['frames'] as number;
    const perFrame = (ms: number) => Math.round((ms / Math.max(1, frames)) * 10) / 10;
    const profile = (out['operators'] as Array<{ operator: string; recordsIn: number; busyMs: number }>).map((o) => ({ operator: o.operator, msPerFrame: perFrame(o.busyMs), recordsIn: o.recordsIn }));
    const own = out['cpuMs'] as number;
    const cpu = { tierflow: perFrame(own), ffmpeg: perFrame(run.cpuMs - own) };
    return { cameras, p99Ms, dropped, identities: [Math.min(...counts), Math.max(...counts)], names, held: p99Ms < BOUND_MS && dropped === 0, profile, cpu };
  } finally {
    rmSync(t.dir, { recursive: true, force: true });
  }
}

/** The most cameras that held: doubling from 1, then bisecting. */
async function search(mode: 'untracked' | 'tracked', plays: number, limit: number): Promise<ModeResult> {
  const steps: Step[] = [];
  const tryN = async (n: number) => {
    const s = await step(mode, n, plays);
    steps.push(s);
    process.stderr.write(`${mode} ${n} cameras: p99 ${s.p99Ms} ms, dropped ${s.dropped}, identities ${s.identities.join('-')} (${s.names.join(', ')}) -> ${s.held ? 'held' : 'did not hold'}\n`);
    return s.held;
  };
  let good = 0;
  let bad = 0;
  for (let n = 1; n <= limit; n *= 2) {
    if (await tryN(n)) good = n;
    else {
      bad = n;
      break;
    }
  }
  if (bad === 0) bad = limit + 1;
  while (bad - good > 1 && good < limit) {
    const mid = Math.floor((good + bad) / 2);
    if (await tryN(mid)) good = mid;
    else bad = mid;
  }
  const at = steps.find((s) => s.cameras === good);
  return { mode, cameras: good, p99Ms: at?.p99Ms ?? NaN, identitiesPerCamera: at?.identities[0] ?? 0, steps };
}

/** The sweep as a picture: p99 latency and frames dropped against cameras, per mode, the 1 s bound and the bare loop's capacity. */
async function plot(results: ModeResult[], file: string): Promise<void> {
  const points = results.flatMap((r) => r.steps.map((s) => ({ mode: r.mode, cameras: s.cameras, p99Ms: s.p99Ms, dropped: s.dropped })));
  const bare = results.find((r) => r.mode === 'bare')?.cameras;
  const rules = bare ? [{ mark: { type: 'rule', strokeDash: [4, 4] }, data: { values: [{ bare }] }, encoding: { x: { field: 'bare', type: 'quantitative' } } }] : [];
  const panel = (field: string, title: string, bound: number | null) => ({
    width: 320,
    height: 220,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'cameras', type: 'quantitative', title: `cameras (5 fps each); dashed: the bare loop's ${bare ?? '?'}` },
          y: { field, type: 'quantitative', title },
          color: { field: 'mode', type: 'nominal' },
          order: { field: 'cameras' },
        },
      },
      ...(bound === null ? [] : [{ mark: { type: 'rule', color: 'grey' }, data: { values: [{ bound }] }, encoding: { y: { field: 'bound', type: 'quantitative' } } }]),
      ...rules,
    ],
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Cameras per gateway: p99 capture-to-match latency (bound 1 s) and frames dropped',
    hconcat: [panel('p99Ms', 'p99 latency (ms)', BOUND_MS), panel('dropped', 'frames dropped in the run', null)],
  } as vegaLite.TopLevelSpec;
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, await view.toSVG());
}

export async function run(args: string[]): Promise<void> {
  const plotFile = args.includes('--plot') ? args[args.indexOf('--plot') + 1]! : join(repoRoot, 'bench', 'out', 'capacity.svg');
  const json = args.includes('--json');
  const plays = Number(args[args.indexOf('--plays') + 1]) || 2;
  const limit = Number(args[args.indexOf('--limit') + 1]) || 64;
  const only = args.includes('--modes') ? new Set(args[args.indexOf('--modes') + 1]!.split(',')) : null;
  const results: ModeResult[] = [];
  if (!only || only.has('bare')) {
    // The bare loop reads the clip as fast as it can: its fps at 5 fps sampling, over 3 runs, is cameras x 5.
    const fps: number[] = [];
    for (let r = 0; r < 3; r++) fps.push(lastJson(await runNode([join(repoRoot, 'dist', 'bench', 'bare-loop.js'), String(FPS), String(plays), CLIP]))['fps'] as number);
    process.stderr.write(`bare loop: ${fps.map((f) => f.toFixed(1)).join(', ')} fps\n`);
    results.push({ mode: 'bare', cameras: Math.floor(median(fps) / FPS), p99Ms: NaN, identitiesPerCamera: NaN, steps: [] });
  }
  // `--cameras N`: one step at N cameras per mode (a profile at a given load), no search.
  const fixed = args.includes('--cameras') ? Number(args[args.indexOf('--cameras') + 1]) : null;
  for (const mode of ['untracked', 'tracked'] as const) {
    if (only && !only.has(mode)) continue;
    if (fixed === null) results.push(await search(mode, plays, limit));
    else {
      const s = await step(mode, fixed, plays);
      results.push({ mode, cameras: s.held ? fixed : 0, p99Ms: s.p99Ms, identitiesPerCamera: s.identities[0], steps: [s] });
    }
  }

  console.log(`cameras per gateway: the clip looped at ${FPS} fps, 640x360, realtime, ${plays * 10} s per step; held = p99 < ${BOUND_MS} ms and no frame dropped`);
  console.log(`  ${'MODE'.padEnd(10)} ${'CAMERAS'.padStart(8)} ${'x BARE'.padStart(7)} ${'P99 MS'.padStart(7)} ${'IDS/CAM'.padStart(8)}  STEPS (cameras:p99:dropped)`);
  const bare = results.find((r) => r.mode === 'bare')?.cameras ?? NaN;
  for (const r of results) {
    const steps = r.steps.map((s) => `${s.cameras}:${s.p99Ms}:${s.dropped}`).join(' ');
    console.log(`  ${r.mode.padEnd(10)} ${String(r.cameras).padStart(8)} ${(r.cameras / bare).toFixed(2).padStart(7)} ${String(r.p99Ms).padStart(7)} ${String(r.identitiesPerCamera).padStart(8)}  ${steps}`);
  }
  console.log('  where the time goes at each mode\'s capacity (per frame offered; CPU of the processes, wall time of the operators\' calls, which overlap):');
  for (const r of results) {
    const at = r.steps.find((x) => x.cameras === r.cameras) ?? r.steps.at(-1);
    if (at) {
      const ops = at.profile.filter((o) => o.msPerFrame > 0).map((o) => `${o.operator} ${o.msPerFrame}`).join(', ');
      console.log(`    ${r.mode.padEnd(10)} at ${at.cameras} cameras: CPU ms per frame: tierflow ${at.cpu.tierflow}, ffmpeg ${at.cpu.ffmpeg}; wall ms per frame in ${ops}`);
    }
  }
  await plot(results, plotFile);
  console.log(`  plot: ${plotFile}`);
  if (json) console.log(JSON.stringify({ bench: 'capacity', results: results.map(({ steps: _, ...r }) => ({ ...r, p99Ms: Number.isNaN(r.p99Ms) ? null : r.p99Ms, identitiesPerCamera: Number.isNaN(r.identitiesPerCamera) ? null : r.identitiesPerCamera })) }));
}
