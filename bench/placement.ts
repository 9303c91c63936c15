// `npm run bench -- placement [--json] [--cameras 1,2,4,8] [--wan 40ms-20mbit,100ms-5mbit] [--seconds 20] [--plot f.svg]`:
// the seed article's edge-versus-cloud figure, measured. The same cameras (the clip at its own pace, 5 fps), models
// and emulated WAN (link proxies both ways between a shop's own Kafka cluster and the cloud's), two plans:
//   edge   everything at the shop (decode, detect, embed, match and aggregate); only the sighting events go up, to the
//          results sink in the cloud. aggregate runs as two replicas, so it is a chain of its own (one replica beside
//          match would be fused into match's worker) and the answers are a matches topic at the shop, as in the cloud plan;
//   cloud  decode at the shop, detect, embed and match in the cloud (frames cross the WAN: policies frame, crop and embedding
//          set to cloud, an override only this bench makes), aggregate back at the shop, so the answer comes down.
// Latency is measured where the answer is needed: capture to a matches record readable on the shop's cluster (for
// the cloud plan it crossed the WAN twice, through MirrorMaker 2 each way). WAN bytes are what crossed both proxies
// per second over the measured window; predicted bytes are the plan's own estimate for its MirrorMaker flows (the
// topics each carries once, and MirrorMaker's own traffic).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { centralLinkOf, withSite } from '../test/helpers/site-broker.js';
import { until } from '../test/helpers/deploy.js';
import { repoRoot } from '../test/helpers/paths.js';
import type { LinkDirection } from '../test/helpers/link-proxy.js';
import { compileTopology } from '../pipelines/cli/compile.js';
import '../test/helpers/operators.js';
import { median } from './node-run.js';

type PlanKind = 'edge' | 'cloud';
interface Wan {
  name: string;
  latencyMs: number;
  mbit: number;
}
const WANS: Wan[] = [
  { name: '40ms-20mbit', latencyMs: 40, mbit: 20 },
  { name: '100ms-5mbit', latencyMs: 100, mbit: 5 },
];
const FPS = 5;
/** Beside the suite's broker and the tests' shops. */
const SHOP_PORT = 29392;
/** After the first answer: MirrorMaker and the models have started, queues have settled. */
const WARM_MS = 8_000;

export interface PlacementPoint {
  plan: PlanKind;
  wan: string;
  cameras: number;
  p50Ms: number;
  p99Ms: number;
  wanBytesPerSec: number;
  predictedWanBytesPerSec: number;
  /** Sighting events that reached the cloud's results topic in the window, per second. */
  eventsPerSec: number;
  /** Answers read at the shop in the window, against frames offered. */
  answers: number;
  offered: number;
}

const EDGE_PLACEMENTS = { aggregate: '{ node: gateway }, replicas: 2', results: '{ tier: cloud }' };
const CLOUD_PLACEMENTS = { detect: '{ tier: cloud }', embed: '{ tier: cloud }', match: '{ tier: cloud }', aggregate: '{ node: gateway }' };

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN;
}

async function point(plan: PlanKind, wan: Wan, cameras: number, seconds: number): Promise<PlacementPoint> {
  const way: LinkDirection = { delayMs: wan.latencyMs / 2, bytesPerSecond: (wan.mbit * 1e6) / 8 };
  const link = { up: way, down: way };
  // The clip plays long enough for deploy, MirrorMaker's start, the warm-up and the window.
  const plays = Math.ceil((90_000 + WARM_MS + seconds * 1000) / 10_000);
  return withSite(
    SHOP_PORT,
    `bench-place-${plan}`,
    link,
    {
      cameras,
      fps: FPS,
      plays,
      realtime: true,
      maxLatencyMs: 60_000,
      wanLink: { latencyMs: wan.latencyMs, bandwidthMbps: wan.mbit },
      centralLink: centralLinkOf(link),
      ...(plan === 'cloud' ? { placements: CLOUD_PLACEMENTS, policies: '{ frame: cloud, crop: cloud, embedding: cloud }' } : { placements: EDGE_PLACEMENTS, centralMatches: false as const }),
    },
    async ({ d, proxy, down, local, central }) => {
      const compiled = await compileTopology(d.file);
      const predicted = (compiled.plan.mirrors ?? []).reduce((n, m) => n + m.bytesPerSecond, 0);
      await until('the first answer at the shop', async () => local.records > 0, 240_000, 250);
      await new Promise((r) => setTimeout(r, WARM_MS));
      const bytes = () => proxy.stats.bytesUp + proxy.stats.bytesDown + (down ? down.stats.bytesUp + down.stats.bytesDown : 0);
      const from = Date.now();
      const b0 = bytes();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const to = Date.now();
      const b1 = bytes();
      const events = central.events.filter((e) => e.at >= from && e.at < to).length;
      const ms = local.latencies.filter((l) => l.at >= from && l.at < to).map((l) => l.ms);
      return {
        plan,
        wan: wan.name,
        cameras,
        p50Ms: Math.round(percentile(ms, 0.5)),
        p99Ms: Math.round(percentile(ms, 0.99)),
        wanBytesPerSec: Math.round((b1 - b0) / ((to - from) / 1000)),
        predictedWanBytesPerSec: Math.round(predicted),
        answers: ms.length,
        eventsPerSec: +(events / ((to - from) / 1000)).toFixed(2),
        offered: Math.round(cameras * FPS * ((to - from) / 1000)),
      };
    },
  );
}

/** Latency and WAN bytes against cameras, both plans (colour), both WAN profiles (dash), log scales. */
export async function plot(points: PlacementPoint[], file: string): Promise<void> {
  const data = points.map((p) => ({ ...p, series: `${p.plan}, ${p.wan}` }));
  const panel = (field: string, title: string) => ({
    width: 320,
    height: 220,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'cameras', type: 'quantitative', scale: { type: 'log', base: 2 }, axis: { values: [1, 2, 4, 8] }, title: 'cameras (5 fps each)' },
      y: { field, type: 'quantitative', scale: { type: 'log' }, title },
      color: { field: 'plan', type: 'nominal', scale: { domain: ['edge', 'cloud'] } },
      strokeDash: { field: 'wan', type: 'nominal', title: 'WAN' },
      detail: { field: 'series' },
    },
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Edge against cloud placement: answer latency at the site, and WAN bytes',
    data: { values: data },
    hconcat: [panel('p50Ms', 'p50 capture to answer at the site (ms)'), panel('wanBytesPerSec', 'WAN bytes/s (both directions)')],
  } as vegaLite.TopLevelSpec;
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, await view.toSVG());
}

const listArg = (args: string[], name: string): string[] | null => (args.includes(name) ? args[args.indexOf(name) + 1]!.split(',') : null);

export async function run(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const cameras = (listArg(args, '--cameras') ?? ['1', '2', '4', '8']).map(Number);
  const wans = (listArg(args, '--wan') ?? WANS.map((w) => w.name)).map((n) => WANS.find((w) => w.name === n) ?? (() => { throw new Error(`--wan: no profile ${n} (${WANS.map((w) => w.name).join(', ')})`); })());
  const seconds = Number(args[args.indexOf('--seconds') + 1]) || 20;
  const plotFile = args.includes('--plot') ? args[args.indexOf('--plot') + 1]! : join(repoRoot, 'bench', 'out', 'placement.svg');
  const results: PlacementPoint[] = [];
  for (const wan of wans) {
    for (const n of cameras) {
      // Edge and cloud side by side for each point, so the ratio is of two runs close in time.
      for (const plan of ['edge', 'cloud'] as const) {
        const p = await point(plan, wan, n, seconds);
        results.push(p);
        process.stderr.write(`placement ${plan} ${wan.name} ${n} camera(s): p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms, WAN ${p.wanBytesPerSec} B/s (plan says ${p.predictedWanBytesPerSec}), ${p.answers}/${p.offered} answers, ${p.eventsPerSec} events/s in the cloud\n`);
      }
    }
  }
  await plot(results, plotFile);
  const rows = wans.flatMap((w) =>
    cameras.map((n) => {
      const e = results.find((r) => r.plan === 'edge' && r.wan === w.name && r.cameras === n)!;
      const c = results.find((r) => r.plan === 'cloud' && r.wan === w.name && r.cameras === n)!;
      return { w: w.name, n, e, c, latency: e.p50Ms / c.p50Ms, bytes: e.wanBytesPerSec / c.wanBytesPerSec };
    }),
  );
  const err = (p: PlacementPoint) => Math.abs(p.wanBytesPerSec - p.predictedWanBytesPerSec) / Math.max(1, p.wanBytesPerSec);
  const lines = [
    `placement: one run per point, ${seconds} s windows after ${WARM_MS / 1000} s of warm-up; plot ${plotFile}`,
    `${'WAN'.padEnd(12)} ${'CAMS'.padStart(4)} ${'EDGE p50'.padStart(9)} ${'CLOUD p50'.padStart(10)} ${'RATIO'.padStart(6)} ${'EDGE B/s'.padStart(9)} ${'CLOUD B/s'.padStart(10)} ${'RATIO'.padStart(7)} ${'PRED ERR e/c'.padStart(13)}`,
    ...rows.map((r) =>
      `${r.w.padEnd(12)} ${String(r.n).padStart(4)} ${String(r.e.p50Ms).padStart(9)} ${String(r.c.p50Ms).padStart(10)} ${r.latency.toFixed(2).padStart(6)} ${String(r.e.wanBytesPerSec).padStart(9)} ${String(r.c.wanBytesPerSec).padStart(10)} ${r.bytes.toFixed(3).padStart(7)} ${`${Math.round(err(r.e) * 100)}%/${Math.round(err(r.c) * 100)}%`.padStart(13)}`,
    ),
    `targets: latency ratio <= 0.2 at every point: ${rows.every((r) => r.latency <= 0.2) ? 'met' : 'NOT met'}; bytes ratio <= 0.02: ${rows.every((r) => r.bytes <= 0.02) ? 'met' : 'NOT met'}; predicted within 25 %: ${results.every((p) => err(p) <= 0.25) ? 'met' : 'NOT met'}; median latency ratio ${median(rows.map((r) => r.latency)).toFixed(2)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (json) {
    const out = results.map(({ plan, wan, cameras: n, p50Ms, p99Ms, wanBytesPerSec, predictedWanBytesPerSec }) => ({ plan, wan, cameras: n, p50Ms, p99Ms, wanBytesPerSec, predictedWanBytesPerSec }));
    process.stdout.write(`${JSON.stringify({ bench: 'placement', results: out })}\n`);
  }
}
