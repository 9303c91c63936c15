// Case overload: five looping cameras at the clip's native 30 fps, read in real time, for 60 s, well above what
// the gateway's detect -> embed -> match can take on this machine. The freshness bound must hold: p99 end-to-end
// latency of results under the sources' maxLatencyMs, frames dropped instead of queued, worker memory bounded and
// flat, sighting events still produced.
import { readFileSync, writeFileSync } from 'node:fs';
import { createKafkaBackbone } from '../../pipelines/backbone/kafka/index.js';
import { publishedTopicName } from '../../pipelines/plan/names.js';
import { FaultDeploy, MatchCollector } from '../helpers/faults.js';
import { uniqueName } from '../helpers/deploy.js';
import { kafkaFromEnv } from '../helpers/kafka.js';
import type { CaseResult } from './case.js';

export const OVERLOAD_MS = 60_000;
const MAX_LATENCY_MS = 3_000;
/**
 * A worker's resident memory under this overload may not pass this. It is a guard against a leak or an unbounded
 * queue, not the runtime issue's 300 MB per worker, which the pipeline benchmark measures (rssMB). On 2026-12-02 the
 * gateway peaked at 281-313 MB over 8 runs of this case (up from 256-269 MB at stop 11), so 300 MB here failed one
 * run in three on an idle machine.
 */
const MAX_WORKER_RSS_MB = 360;

/** Resident memory of a process, MB, or null once it is gone. */
function rssMb(pid: number): number | null {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function overload(): Promise<CaseResult> {
  const d = await FaultDeploy.create('faults-overload', { cameras: 5, fps: 30, realtime: true, maxLatencyMs: MAX_LATENCY_MS });
  const yaml = readFileSync(d.file, 'utf8');
  writeFileSync(d.file, yaml.replace(/^(\s+- \{ name: cam-\d+, )url:/gm, '$1loop: true, url:'));
  const backbone = await createKafkaBackbone({ ...kafkaFromEnv(), clientId: 'tierflow-faults' });
  let collector: MatchCollector | null = null;
  const events: number[] = [];
  try {
    await d.deploy();
    collector = await MatchCollector.open(d.matchesTopic, d.resultsTopic);
    const eventsConsumer = await backbone.consumer({ groupId: uniqueName('faults-events'), topics: [publishedTopicName(d.name, 'results')], fromBeginning: true });
    const reading = eventsConsumer.run(async (rs) => void events.push(...rs.map(() => Date.now())));
    const workers = (await d.waitUp()).processes.filter((p) => p.pid).map((p) => ({ id: p.id, pid: p.pid! }));
    const rss: Record<string, number[]> = Object.fromEntries(workers.map((w) => [w.id, []]));
    const t0 = Date.now();
    while (Date.now() - t0 < OVERLOAD_MS) {
      for (const w of workers) {
        const mb = rssMb(w.pid);
        if (mb !== null) rss[w.id]!.push(mb);
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
    const s = await d.status();
    await eventsConsumer.close();
    await reading.catch(() => undefined);
    // The first 10 s include model loading and the first backlog; the bound is judged on the steady state.
    const steady = collector.latencies.filter((l) => l.at > t0 + 10_000).map((l) => l.ms);
    const p50 = percentile(steady, 50);
    const p99 = percentile(steady, 99);
    const detect = s.operators.find((o) => o.operator === 'detect');
    const decode = s.operators.filter((o) => o.operator === 'decode');
    const memory = Object.fromEntries(Object.entries(rss).map(([id, xs]) => [id, { firstMb: xs[0] ?? null, maxMb: xs.length ? Math.max(...xs) : null, lastMb: xs.at(-1) ?? null }]));
    const grew = Object.values(memory).some((m) => m.firstMb !== null && m.lastMb !== null && m.lastMb > m.firstMb * 1.5 + 100);
    const overBound = Object.values(memory).some((m) => m.maxMb !== null && m.maxMb > MAX_WORKER_RSS_MB);
    const eventsInWindow = events.filter((at) => at > t0 + 10_000).length;
    const ev = await collector!.eventReport(true);
    return {
      name: 'overload',
      eventsLost: ev.eventsLost,
      eventsDuplicated: ev.eventsDuplicated,
      lost: null,
      duplicated: null,
      recoverySec: null,
      ok: p99 !== null && p99 < MAX_LATENCY_MS && !grew && !overBound && eventsInWindow > 0 && (detect?.dropped ?? 0) + decode.reduce((n, o) => n + o.dropped, 0) > 0,
      detail: {
        events: ev.events,
        maxLatencyMs: MAX_LATENCY_MS,
        maxWorkerRssMb: MAX_WORKER_RSS_MB,
        p50LatencyMs: p50,
        p99LatencyMs: p99,
        maxLatencyMsSeen: steady.length ? Math.max(...steady) : null,
        resultsRecords: collector.latencies.length,
        framesIn: decode.reduce((n, o) => n + o.recordsOut, 0),
        framesDropped: s.operators.reduce((n, o) => n + o.dropped, 0),
        // Frames the cameras offered per frame the gateway could take: how far beyond capacity the sources ran.
        offeredPerProcessed: detect?.recordsIn ? Math.round((decode.reduce((n, o) => n + o.recordsOut, 0) / detect.recordsIn) * 10) / 10 : null,
        detectIn: detect?.recordsIn ?? null,
        detectFps: detect?.fps ?? null,
        eventsInWindow,
        memory,
      },
    };
  } finally {
    await collector?.close();
    await backbone.close();
    await d.undeploy();
  }
}
