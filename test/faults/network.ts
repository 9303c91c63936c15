// Case network: the camera nodes reach the broker over a degraded link — a TCP proxy adding 80 ± 20 ms each way,
// capping bandwidth below what the frames need and resetting every connection every 8 s (then refusing new ones
// for a second). The gateway and cloud stay on the clean listener. Degraded but correct: every reference result
// arrives, none duplicated after keep-first; how much slower it got is reported beside the clean reference.
import { readFileSync, writeFileSync } from 'node:fs';
import { CLIP_RUN, FaultDeploy, MatchCollector, type Reference } from '../helpers/faults.js';
import { LinkProxy, type LinkDirection, type LinkFaults } from '../helpers/link-proxy.js';
import { tally } from './tally.js';
import type { CaseResult } from './case.js';

/** One way of the link: a WAN hop. 64 KB/s is about 7 frames/s of the clip's 640x360 JPEGs, against the 20 the
 *  two cameras offer. */
const WAY: LinkDirection = { delayMs: 80, jitterMs: 20, bytesPerSecond: 64 << 10 };
export const DEGRADED_LINK: LinkFaults = { up: WAY, down: WAY, resetEveryMs: 8_000, blackoutMs: 1_000 };
const SETTLE_MS = 150_000;

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Points every camera node's workers at `broker` (the topology's `nodes[].brokers`). */
function routeCameraNodes(file: string, broker: string): void {
  const yaml = readFileSync(file, 'utf8');
  const routed = yaml.replace(/^(\s+- \{ name: cam-\d+-node, tier: device, .*?) \}$/gm, `$1, brokers: ["${broker}"] }`);
  if (routed === yaml) throw new Error('the clip topology changed shape: no camera node to route through the link');
  writeFileSync(file, routed);
}

export async function network(expected: ReadonlySet<string>, reference: Reference | null): Promise<CaseResult> {
  const target = process.env['KAFKA_LINK_LISTENER'];
  const advertised = process.env['KAFKA_LINK_ADVERTISED'];
  if (!target || !advertised) {
    return { name: 'network', lost: null, duplicated: null, recoverySec: null, error: 'not run: KAFKA_LINK_LISTENER/KAFKA_LINK_ADVERTISED not set (infra/kafka/broker.sh writes them to cache/env)' };
  }
  // Delay and cap from the first byte; resets only once the deploy is up, so they hit the stream, not start-up.
  const proxy = await LinkProxy.start(advertised, target, { up: DEGRADED_LINK.up, down: DEGRADED_LINK.down });
  // acls off: the link proxy fronts the broker's PLAINTEXT LINK listener, where SASL cannot be spoken.
  const d = await FaultDeploy.create('faults-network', { ...CLIP_RUN, acls: false });
  routeCameraNodes(d.file, advertised);
  let collector: MatchCollector | null = null;
  const t0 = Date.now();
  try {
    await d.deploy();
    collector = await MatchCollector.open(d.matchesTopic, d.resultsTopic);
    proxy.setFaults(DEGRADED_LINK);
    const deployedSec = (Date.now() - t0) / 1000;
    const complete = await collector.settle(expected, SETTLE_MS);
    proxy.setFaults({ up: DEGRADED_LINK.up, down: DEGRADED_LINK.down });
    const t = tally(expected, collector.deliveries);
    const s = await d.status();
    const firstAt = new Map<string, number>();
    for (const x of collector.deliveries) if (!firstAt.has(x.key)) firstAt.set(x.key, x.at);
    const lastExpected = Math.max(...[...expected].map((k) => firstAt.get(k) ?? 0));
    const latencies = collector.latencies.map((l) => l.ms);
    const throughProxy = proxy.stats.connections > 0 && proxy.stats.bytesUp > 0;
    const ev = await collector!.eventReport(false);
    return {
      name: 'network',
      eventsLost: ev.eventsLost,
      eventsDuplicated: ev.eventsDuplicated,
      lost: t.lost,
      duplicated: t.duplicated,
      recoverySec: null,
      ok: complete && t.conflicting === 0 && throughProxy && proxy.stats.connectionsReset > 0,
      detail: {
        events: ev.events,
        ...t,
        complete,
        link: { ...DEGRADED_LINK, between: 'camera nodes (decode) and the broker' },
        proxy: { ...proxy.stats },
        deployedSec,
        lastResultSec: complete ? (lastExpected - t0) / 1000 : null,
        p50LatencyMs: percentile(latencies, 50),
        p99LatencyMs: percentile(latencies, 99),
        clean: reference && {
          lastResultSec: reference.lastResultSec,
          p50LatencyMs: percentile(reference.latencies, 50),
          p99LatencyMs: percentile(reference.latencies, 99),
        },
        workerRestarts: Object.fromEntries(s.processes.map((p) => [p.id, p.restarts])),
        framesDropped: s.operators.reduce((n, o) => n + o.dropped, 0),
      },
    };
  } finally {
    await collector?.close();
    await d.undeploy();
    await proxy.close();
  }
}
