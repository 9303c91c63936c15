// The fault suite: `node dist/test/faults/run.js [case...]` against the broker in KAFKA_BROKERS. Runs a clean
// reference of the clip, then each fault case in turn (each bounded, each undeploys what it started), prints a
// line per case on stderr and, as its last stdout line, {"suite":"faults","cases":[...]}. Exit 1 if a case failed.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIP_RUN, referenceRun, type Reference } from '../helpers/faults.js';
import { requireBrokers } from '../helpers/deploy.js';
import type { CaseResult } from './case.js';
import { workerKill } from './worker-kill.js';
import { poison } from './poison.js';
import { brokerOutage } from './broker-outage.js';
import { overload } from './overload.js';
import { priority } from './priority.js';
import { cameraRestart } from './camera-restart.js';
import { network } from './network.js';
import { cloudDownAtDeploy, wanDegraded, wanDownAtDeploy, wanOutage } from './wan.js';
import { aggregateKill, cameraWorkerRestart, gracefulHandover } from './stateful.js';

type Case = { name: string; needsReference: boolean; bound: number; onDemand?: string; run: (expected: ReadonlySet<string>, reference: Reference | null) => Promise<CaseResult> };

const CASES: Case[] = [
  { name: 'worker-kill', needsReference: true, bound: 420_000, run: workerKill },
  { name: 'poison', needsReference: true, bound: 420_000, run: poison },
  { name: 'broker-outage', needsReference: true, bound: 600_000, run: brokerOutage },
  { name: 'camera-restart', needsReference: false, bound: 300_000, run: cameraRestart },
  { name: 'overload', needsReference: false, bound: 300_000, run: overload },
  { name: 'priority', needsReference: false, bound: 300_000, run: priority },
  { name: 'network', needsReference: true, bound: 300_000, run: network },
  { name: 'aggregate-kill', needsReference: true, bound: 300_000, run: aggregateKill },
  { name: 'graceful-handover', needsReference: false, bound: 480_000, run: gracefulHandover },
  { name: 'camera-worker-restart', needsReference: true, bound: 300_000, run: cameraWorkerRestart },
  { name: 'wan-outage', needsReference: false, bound: 480_000, run: wanOutage },
  { name: 'wan-degraded', needsReference: false, bound: 420_000, run: wanDegraded },
  { name: 'wan-down-at-deploy', needsReference: false, bound: 480_000, run: wanDownAtDeploy },
  { name: 'cloud-down-at-deploy', needsReference: false, bound: 540_000, run: cloudDownAtDeploy },
];

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms / 1000} s`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The last lines of every worker log that deploys between `t0` and `t1` kept (FaultDeploy.undeploy copies them to the temp folder). */
function printLogsBetween(t0: number, t1: number, name: string, only?: RegExp): void {
  const root = join(tmpdir(), 'tierflow-faults-logs');
  if (!existsSync(root)) return;
  for (const deploy of readdirSync(root)) {
    const dir = join(root, deploy);
    const at = statSync(dir).mtimeMs;
    if (at < t0 || at > t1) continue; // another case's deploy
    for (const file of readdirSync(dir)) {
      const all = readFileSync(join(dir, file), 'utf8').trimEnd().split('\n');
      const lines = only ? all.filter((l) => only.test(l)) : all;
      const what = only ? 'notable lines' : 'lines';
      console.error(`faults: ${name}: ${deploy}/${file}, last ${Math.min(LOG_TAIL, lines.length)} of ${lines.length} ${what}:`);
      for (const line of lines.slice(-LOG_TAIL)) console.error(`  ${line.slice(0, 300)}`);
    }
  }
}

const LOG_TAIL = 40;
/** The lines of a worker log that tell a rebalance, an outage, a restore or a failure. */
const NOTABLE = /assigned|revoked|receiving|restored|failed|exited|restart|rebalance|flush/i;

/** A case passes when nothing was lost or duplicated and its own checks held. */
const passed = (r: CaseResult) =>
  !r.error && (r.lost ?? 0) === 0 && (r.duplicated ?? 0) === 0 && (r.eventsLost ?? 0) === 0 && (r.eventsDuplicated ?? 0) === 0 && r.ok !== false;

async function main(): Promise<void> {
  requireBrokers();
  const wanted = process.argv.slice(2);
  const cases = wanted.length ? CASES.filter((c) => wanted.includes(c.name)) : CASES.filter((c) => !c.onDemand);
  for (const c of CASES) if (!wanted.length && c.onDemand) console.error(`faults: ${c.name} runs only when named: ${c.onDemand}`);
  const unknown = wanted.filter((w) => !CASES.some((c) => c.name === w));
  if (unknown.length) throw new Error(`unknown case(s) ${unknown.join(', ')}: known are ${CASES.map((c) => c.name).join(', ')}`);
  let expected: ReadonlySet<string> = new Set();
  let reference: Reference | null = null;
  if (cases.some((c) => c.needsReference)) {
    const ref = await referenceRun(CLIP_RUN);
    reference = ref;
    expected = ref.keys;
    console.error(`faults: reference run: ${ref.keys.size} results in ${ref.seconds} s`);
    if (ref.keys.size === 0) throw new Error('the reference run produced no results');
  }
  const results: CaseResult[] = [];
  const failed: Array<{ name: string; t0: number; t1: number }> = [];
  for (const c of cases) {
    const t0 = Date.now();
    const r = await within(c.run(expected, reference), c.bound, c.name).catch((e: unknown): CaseResult => ({ name: c.name, lost: null, duplicated: null, eventsLost: null, eventsDuplicated: null, recoverySec: null, error: (e as Error).message }));
    // Every case says how events fared, counted or not (null: the case does not read the results topic).
    r.eventsLost ??= null;
    r.eventsDuplicated ??= null;
    r.ok = passed(r);
    results.push(r);
    console.error(`faults: ${c.name} ${r.ok ? 'ok' : 'FAILED'} in ${Math.round((Date.now() - t0) / 1000)} s: ${JSON.stringify(r)}`);
    // CI keeps only what is printed: a failed case's worker logs go with it.
    if (!r.ok) {
      printLogsBetween(t0, Date.now(), c.name);
      failed.push({ name: c.name, t0, t1: Date.now() });
    }
  }
  // Where a CI report shows only the end of the output, what the workers said about the failures comes last.
  for (const f of failed) printLogsBetween(f.t0, f.t1, f.name, NOTABLE);
  console.log(JSON.stringify({ suite: 'faults', cases: results }));
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(`faults: ${(e as Error).message}`);
  console.log(JSON.stringify({ suite: 'faults', cases: [], error: (e as Error).message }));
  process.exitCode = 1;
});
