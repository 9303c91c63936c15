// `npm run bench -- migrate [--reps N] [--json] [--plot file.svg] [--only live/match]`: the same move done live (`tierflow migrate`) and
// the naive way (undeploy, then deploy with the operator pinned there), side by side on one broker: match from the
// gateway to a fog node, and aggregate from the cloud to fog. Two cameras play the clip at its own pace.
//   pauseMs      the longest gap between two consecutive results of one camera from the move's start until 10 s after
//                it ended (results: matches records for match, sighting events for aggregate);
//   steadyGapMs  the same, over the steady state before the move;
//   lost, duplicated  every frame on the frames topic against the matches records (and, for aggregate, the events
//                the matches imply against the events delivered).
// Medians over the reps; the plot is the first rep's timeline around each move (gap to the previous result).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { FaultDeploy, MatchCollector } from '../test/helpers/faults.js';
import { tierflow, until } from '../test/helpers/deploy.js';
import { frameIds, frameTally, longestGap, longestGapAt } from '../test/helpers/migration.js';
import type { MigrateResult } from '../pipelines/deploy/local/migrate.js';
import { repoRoot } from '../test/helpers/paths.js';
import { median } from './node-run.js';

type Kind = 'live' | 'restart';
interface MoveResult {
  kind: Kind;
  operator: string;
  pauseMs: number;
  steadyGapMs: number;
  moveMs: number;
  /** When the longest gap began, ms after the move started; and, live, how long warming and the switch took. */
  pauseFromMs: number;
  /** The same instant as a wall-clock time, to find in the deploy's logs. */
  pauseAt: string;
  warmMs?: number;
  switchMs?: number;
  lost: number;
  duplicated: number;
}
interface Point {
  run: string;
  camera: string;
  t: number;
  gapMs: number;
}

const MOVES = [
  { operator: 'match', to: 'fog-1' },
  { operator: 'aggregate', to: 'fog-1' },
] as const;
const STEADY_MS = 15_000;
const AFTER_MS = 10_000;
/** The cameras play this many times (10 s each): long enough for deploy, steady state, the move and after. */
const PLAYS = 9;

/** The topology file with `operator` pinned to `node`, as a user would edit it for the naive move. */
function pinInFile(file: string, operator: string, node: string): void {
  const lines = readFileSync(file, 'utf8').split('\n').map((l) => {
    if (!l.includes(`{ id: ${operator},`)) return l;
    return l.includes('placement:') ? l.replace(/placement: \{[^}]*\}/, `placement: { node: ${node} }`) : l.replace(/ \}$/, `, placement: { node: ${node} } }`);
  });
  writeFileSync(file, lines.join('\n'));
}

async function oneMove(operator: string, to: string, kind: Kind, points: Point[] | null): Promise<MoveResult> {
  const d = await FaultDeploy.create(`bench-mig-${operator}-${kind}`, { cameras: 2, fps: 5, maxLatencyMs: 300_000, plays: PLAYS, realtime: true, fog: true, acls: false });
  let c: MatchCollector | null = null;
  try {
    await d.deploy();
    c = await MatchCollector.open(d.matchesTopic, d.resultsTopic);
    const collector = c;
    await until('first results', async () => collector.records > 0, 120_000);
    const steadyFrom = Date.now();
    await new Promise((r) => setTimeout(r, STEADY_MS));
    const t0 = Date.now();
    let phases: Pick<MoveResult, 'warmMs' | 'switchMs'> = {};
    if (kind === 'live') {
      const r = await tierflow(['migrate', operator, '--to', to, '--json', '--state-dir', d.stateDir], { timeoutMs: 200_000 });
      if (r.code !== 0) throw new Error(`migrate failed: ${r.stderr.trim()}`);
      const m = JSON.parse(r.stdout) as MigrateResult;
      phases = { warmMs: m.warmMs, switchMs: m.switchMs };
    } else {
      const u = await tierflow(['undeploy', d.name, '--state-dir', d.stateDir], { timeoutMs: 90_000 });
      if (u.code !== 0) throw new Error(`undeploy failed: ${u.stderr.trim()}`);
      pinInFile(d.file, operator, to);
      await d.deploy();
    }
    const t1 = Date.now();
    await new Promise((r) => setTimeout(r, AFTER_MS));
    // Matches for match's move; sighting events (what aggregate emits) for aggregate's.
    const arrivals = operator === 'aggregate' ? collector.events.map((e) => ({ at: e.at, camera: e.camera })) : collector.latencies.map((l) => ({ at: l.at, camera: l.camera }));
    const pause = longestGapAt(arrivals, t0, t1 + AFTER_MS);
    const result = {
      kind,
      operator,
      steadyGapMs: longestGap(arrivals, steadyFrom, t0),
      pauseMs: pause.ms,
      pauseFromMs: pause.from - t0,
      pauseAt: new Date(pause.from).toISOString(),
      moveMs: t1 - t0,
      ...phases,
    };
    if (points) {
      const last = new Map<string, number>();
      for (const a of [...arrivals].sort((x, y) => x.at - y.at)) {
        const prev = last.get(a.camera);
        last.set(a.camera, a.at);
        if (prev === undefined || a.at < t0 - STEADY_MS || a.at > t1 + AFTER_MS) continue;
        points.push({ run: `${operator} ${kind} (move ${((t1 - t0) / 1000).toFixed(1)} s)`, camera: a.camera, t: (a.at - t0) / 1000, gapMs: a.at - prev });
      }
    }
    await d.waitSourcesEnded(300_000);
    await d.waitDrained(180_000);
    const frames = await frameIds(d.topic('decode', 'frames'));
    await until('a result for every frame', async () => frameTally(frames, collector.matches).lost === 0, 30_000).catch(() => undefined);
    const t = frameTally(frames, collector.matches);
    const ev = operator === 'aggregate' ? await collector.eventReport() : null;
    return { ...result, lost: t.lost + (ev?.eventsLost ?? 0), duplicated: t.duplicated + (ev?.eventsDuplicated ?? 0) };
  } finally {
    await c?.close();
    await d.undeploy();
  }
}

/** The timeline as an SVG (vega-lite, rendered headless by vega). */
async function plot(points: Point[], file: string): Promise<void> {
  const spec: vegaLite.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Results around a move: gap to the previous result of the same camera',
    data: { values: points },
    facet: { row: { field: 'run', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top' } } },
    spec: {
      width: 640,
      height: 110,
      layer: [
        { mark: { type: 'line', point: { size: 12 } }, encoding: { x: { field: 't', type: 'quantitative', title: 's since the move started' }, y: { field: 'gapMs', type: 'quantitative', title: 'gap (ms)', scale: { type: 'log' } }, color: { field: 'camera', type: 'nominal' } } },
        { mark: { type: 'rule', strokeDash: [4, 3], color: 'gray' }, encoding: { x: { datum: 0 } } },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, await view.toSVG());
}

export async function run(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const reps = Number(args[args.indexOf('--reps') + 1]) || 3;
  /** One move of the four, as `live/match` (a quicker look while working on it). */
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const plotFile = args.includes('--plot') ? args[args.indexOf('--plot') + 1]! : join(repoRoot, 'docs', 'bench', 'migrate-timeline.svg');
  const samples = new Map<string, MoveResult[]>();
  const points: Point[] = [];
  for (let r = 0; r < reps; r++) {
    for (const move of MOVES) {
      for (const kind of ['live', 'restart'] as const) {
        if (only && only !== `${kind}/${move.operator}`) continue;
        const res = await oneMove(move.operator, move.to, kind, r === 0 ? points : null);
        const key = `${kind}/${move.operator}`;
        samples.set(key, [...(samples.get(key) ?? []), res]);
        const phases = res.warmMs === undefined ? '' : ` (warm ${res.warmMs} ms, switch ${res.switchMs} ms)`;
        process.stderr.write(`rep ${r + 1}/${reps} ${kind} ${move.operator}: pause ${res.pauseMs} ms from ${res.pauseFromMs} ms into the move (${res.pauseAt}; steady ${res.steadyGapMs} ms), move ${res.moveMs} ms${phases}, lost ${res.lost}, duplicated ${res.duplicated}\n`);
      }
    }
  }
  await plot(points, plotFile);
  const results = [...samples.values()].map((xs) => ({
    kind: xs[0]!.kind,
    operator: xs[0]!.operator,
    pauseMs: median(xs.map((x) => x.pauseMs)),
    steadyGapMs: median(xs.map((x) => x.steadyGapMs)),
    moveMs: median(xs.map((x) => x.moveMs)),
    lost: Math.max(...xs.map((x) => x.lost)),
    duplicated: Math.max(...xs.map((x) => x.duplicated)),
    reps: xs.length,
  }));
  const lines = [
    `migrate: medians of ${reps} rep(s); lost and duplicated are the most of any rep; plot ${plotFile}`,
    `${'KIND'.padEnd(8)} ${'OPERATOR'.padEnd(10)} ${'PAUSE ms'.padStart(9)} ${'STEADY ms'.padStart(10)} ${'EXTRA ms'.padStart(9)} ${'MOVE ms'.padStart(8)} ${'LOST'.padStart(5)} ${'DUP'.padStart(4)}`,
    ...results.map((x) => `${x.kind.padEnd(8)} ${x.operator.padEnd(10)} ${String(x.pauseMs).padStart(9)} ${String(x.steadyGapMs).padStart(10)} ${String(x.pauseMs - x.steadyGapMs).padStart(9)} ${String(x.moveMs).padStart(8)} ${String(x.lost).padStart(5)} ${String(x.duplicated).padStart(4)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (json) process.stdout.write(`${JSON.stringify({ bench: 'migrate', results })}\n`);
}
