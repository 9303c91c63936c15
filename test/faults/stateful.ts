// The cases of state that survives. aggregate-kill: kill -9 the worker hosting aggregate while windows are open;
// the restarted process restores them from the changelog. graceful-handover: scale aggregate 1 -> 2 -> 1 while the
// cameras run (rebalances hand partitions and their state over). camera-worker-restart: kill -9 a camera node's
// worker; its new decode session has a new epoch, so its records are new results, never dropped as duplicates.
import { FaultDeploy, MatchCollector, CLIP_RUN } from '../helpers/faults.js';
import { tierflow, until } from '../helpers/deploy.js';
import { recoverySec, tally } from './tally.js';
import type { CaseResult } from './case.js';

/** What the restarted workers logged about their restores: partitions and milliseconds. */
function restores(log: string): Array<{ partition: number; ms: number; keys: string }> {
  return [...log.matchAll(/state restored: partition (\d+) of \S+, (.*) in (\d+) ms/g)].map((m) => ({ partition: Number(m[1]), keys: m[2]!, ms: Number(m[3]) }));
}

export async function aggregateKill(expected: ReadonlySet<string>): Promise<CaseResult> {
  const d = await FaultDeploy.create('faults-aggkill', CLIP_RUN);
  let collector: MatchCollector | null = null;
  try {
    await d.deploy();
    collector = await MatchCollector.open(d.matchesTopic, d.resultsTopic);
    const c = collector;
    const cloud = (await d.waitUp()).processes.find((p) => p.id === 'cloud-1');
    if (!cloud?.pid) throw new Error('no cloud-1 worker (aggregate) to kill');
    // Windows open: a third of the results are out and events have started to flow.
    await until('a third of the results and a first event', async () => c.deliveries.length >= expected.size / 3 && c.events.length > 0, 180_000, 50);
    const killedAt = Date.now();
    const eventsBefore = c.events.length;
    process.kill(cloud.pid, 'SIGKILL');
    const restarted = await until('cloud-1 restarted', async () => {
      const w = (await d.status()).processes.find((p) => p.id === 'cloud-1');
      return w && w.restarts >= 1 && w.state === 'up' && d.worker('cloud-1');
    }, 60_000);
    const complete = await c.settle(expected, 180_000);
    const ev = await c.eventReport();
    const t = tally(expected, c.deliveries);
    const fromNew = c.events.filter((e) => e.at >= restarted.startedAt);
    const firstEvent = fromNew[0];
    return {
      name: 'aggregate-kill',
      lost: t.lost,
      duplicated: t.duplicated,
      eventsLost: ev.eventsLost,
      eventsDuplicated: ev.eventsDuplicated,
      recoverySec: firstEvent ? Math.round((firstEvent.at - killedAt) / 100) / 10 : null,
      detail: { events: ev.events, ...t, complete, eventsBeforeKill: eventsBefore, restartedAfterSec: (restarted.startedAt - killedAt) / 1000, restores: restores(d.logOf('cloud-1')) },
    };
  } finally {
    await collector?.close();
    await d.undeploy();
  }
}

export async function gracefulHandover(): Promise<CaseResult> {
  // The cameras run at the clip's own pace for 4 plays (40 s), so they are still running when the scale-in is through:
  // read as fast as the pipeline takes them, even 6 plays had ended by then (scale-out ~7 s, 5 s, scale-in ~3 s).
  const d = await FaultDeploy.create('faults-handover', { ...CLIP_RUN, plays: 4, realtime: true });
  let collector: MatchCollector | null = null;
  try {
    await d.deploy();
    collector = await MatchCollector.open(d.matchesTopic, d.resultsTopic);
    const c = collector;
    await d.waitUp();
    const scale = async (n: number) => {
      const r = await tierflow(['scale', `aggregate=${n}`, '--topology', d.name, '--state-dir', d.stateDir], { timeoutMs: 120_000 });
      if (r.code !== 0) throw new Error(`scale aggregate=${n} failed (${r.code}): ${r.stderr.trim()}`);
    };
    await until('results flowing', async () => c.deliveries.length > 0, 180_000, 200);
    const outAt = Date.now();
    await scale(2);
    const scaledOutSec = (Date.now() - outAt) / 1000;
    await new Promise((r) => setTimeout(r, 5_000));
    const inAt = Date.now();
    await scale(1);
    const scaledInSec = (Date.now() - inAt) / 1000;
    const sourcesStillRunning = (await d.status()).sources.some((s) => s.state !== 'ended');
    await d.waitSourcesEnded(240_000);
    await d.waitDrained(120_000);
    await c.quiet(5_000, 60_000);
    const ev = await c.eventReport();
    const t = tally(new Set(c.deliveries.map((x) => x.key)), c.deliveries);
    return {
      name: 'graceful-handover',
      lost: null,
      duplicated: t.duplicated,
      eventsLost: ev.eventsLost,
      eventsDuplicated: ev.eventsDuplicated,
      recoverySec: null,
      ok: sourcesStillRunning && c.events.some((e) => e.at > inAt),
      detail: { events: ev.events, results: t.delivered, conflicting: t.conflicting, scaleOutSec: scaledOutSec, scaleInSec: scaledInSec, camerasRanThroughout: sourcesStillRunning, restores: restores(d.logOf('cloud-1') + d.logOf('aggregate-2')) },
    };
  } finally {
    await collector?.close();
    await d.undeploy();
  }
}

export async function cameraWorkerRestart(expected: ReadonlySet<string>): Promise<CaseResult> {
  const d = await FaultDeploy.create('faults-camworker', CLIP_RUN);
  let collector: MatchCollector | null = null;
  try {
    await d.deploy();
    collector = await MatchCollector.open(d.matchesTopic, d.resultsTopic);
    const c = collector;
    const cam = (await d.waitUp()).processes.find((p) => p.id === 'cam-1-node');
    if (!cam?.pid) throw new Error('no cam-1-node worker to restart');
    await until('a quarter of the results', async () => c.deliveries.length >= expected.size / 4, 180_000, 50);
    const killedAt = Date.now();
    process.kill(cam.pid, 'SIGKILL');
    await until('cam-1-node restarted', async () => {
      const w = (await d.status()).processes.find((p) => p.id === 'cam-1-node');
      return w && w.restarts >= 1 && w.state === 'up';
    }, 60_000);
    await d.waitSourcesEnded(240_000);
    await d.waitDrained(120_000);
    await c.quiet(5_000, 60_000);
    const ev = await c.eventReport();
    // The restarted session plays the file again under a new epoch: session 1 of cam-1. Against the reference (one
    // session per camera), a result counts as delivered when any session of its camera delivered its frame and face.
    const anySession = new Set(c.deliveries.map((x) => x.key.replace(/^([^/]+)\/\d+\//, '$1/0/')));
    const lost = [...expected].filter((k) => !anySession.has(k)).length;
    const t = tally(new Set(c.deliveries.map((x) => x.key)), c.deliveries);
    const sessions = new Set(c.deliveries.filter((x) => x.key.startsWith('cam-1/')).map((x) => x.key.split('/')[1]));
    // What keep-first by (camera, seq, face), the key before epochs, would have thrown away as duplicates.
    const withoutEpoch = new Set(c.deliveries.map((x) => x.key.replace(/^([^/]+)\/\d+\//, '$1/')));
    return {
      name: 'camera-worker-restart',
      lost,
      duplicated: t.duplicated + t.conflicting,
      eventsLost: ev.eventsLost,
      eventsDuplicated: ev.eventsDuplicated,
      recoverySec: recoverySec(c.deliveries.filter((x) => x.key.startsWith('cam-1/1/')), killedAt),
      ok: sessions.size >= 2,
      detail: { events: ev.events, cam1Sessions: sessions.size, distinctResults: t.delivered, droppedByKeyWithoutEpoch: t.delivered - withoutEpoch.size, conflicting: t.conflicting, rawDuplicates: t.rawDuplicates },
    };
  } finally {
    await collector?.close();
    await d.undeploy();
  }
}
