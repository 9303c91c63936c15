// Case priority: two flows on one gateway at about 3x what it can take. The high flow (one camera at 5 fps, decoded
// on its device node) and a low flow (four cameras on the gateway itself, the clip at 30 fps, read in real time)
// share the gateway worker's cores for 60 s. The high flow must keep its latency bound (p99 of its results, capture
// to the collector, under its bound: the sources' maxLatencyMs x 1.5 for high priority) and lose no sighting event;
// the low flow takes the drops, and status shows them per flow.
import { readFileSync, writeFileSync } from 'node:fs';
import { FaultDeploy, MatchCollector } from '../helpers/faults.js';
import { latencyBoundMs } from '../../pipelines/runtime/freshness.js';
import { percentile } from './overload.js';
import type { CaseResult } from './case.js';

const PRIORITY_MS = 60_000;
const MAX_LATENCY_MS = 1_000;
const HIGH_BOUND_MS = latencyBoundMs(MAX_LATENCY_MS, 'high');
/** The gateway holds ~9 cameras at 5 fps on this machine (`npm run bench -- capacity`: ~45 frames/s); 5 + 4 x 30 fps is ~2.8x that. */
const LOW = { cameras: 4, fps: 30 };

export async function priority(): Promise<CaseResult> {
  const d = await FaultDeploy.create('faults-priority', { cameras: 1, fps: 5, realtime: true, plays: 6, maxLatencyMs: MAX_LATENCY_MS, lowPriority: LOW });
  const yaml = readFileSync(d.file, 'utf8');
  writeFileSync(d.file, yaml.replace(/^(\s+- \{ name: cam-\d+, )url:/gm, '$1loop: true, url:'));
  let collector: MatchCollector | null = null;
  try {
    await d.deploy();
    collector = await MatchCollector.open(d.matchesTopic, d.resultsTopic);
    await d.waitUp();
    const t0 = Date.now();
    // Both flows' cameras play the clip 6 times (60 s) and end; status is read before the workers go idle.
    await new Promise((r) => setTimeout(r, PRIORITY_MS - 5_000));
    const s = await d.status();
    await d.waitSourcesEnded(PRIORITY_MS);
    // The first 10 s include model loading and the first backlog; the bound is judged on the steady state.
    const steady = collector.latencies.filter((l) => l.at > t0 + 10_000).map((l) => l.ms);
    const p99 = percentile(steady, 99);
    const row = (id: string) => s.operators.find((o) => o.operator === id);
    const dropped = (ids: string[]) => ids.reduce((n, id) => n + (row(id)?.dropped ?? 0), 0);
    const highDropped = dropped(['decode', 'detect']);
    const lowDropped = dropped(['decode-low', 'detect-low']);
    const highFrames = row('decode')?.recordsOut ?? 0;
    const ev = await collector.eventReport(false);
    return {
      name: 'priority',
      eventsLost: ev.eventsLost,
      eventsDuplicated: ev.eventsDuplicated,
      lost: null,
      duplicated: null,
      recoverySec: null,
      ok: p99 !== null && p99 < HIGH_BOUND_MS && ev.eventsLost === 0 && ev.events.eventsDelivered > 0 && lowDropped > 0 && highDropped <= highFrames * 0.01,
      detail: {
        highBoundMs: HIGH_BOUND_MS,
        highP50Ms: percentile(steady, 50),
        highP99Ms: p99,
        highResults: steady.length,
        highFrames,
        highDropped,
        lowFrames: row('decode-low')?.recordsOut ?? 0,
        lowDropped,
        lowDetectFps: row('detect-low')?.fps ?? null,
        highDetectFps: row('detect')?.fps ?? null,
        events: ev.events,
      },
    };
  } finally {
    await collector?.close();
    await d.undeploy();
  }
}
