// Case broker-outage: the broker is stopped for 15 s mid-stream and resumed on its data. Producers buffer and
// consumers reconnect; the pipeline resumes and every reference result arrives.
import { CLIP_RUN, FaultDeploy, MatchCollector } from '../helpers/faults.js';
import { until } from '../helpers/deploy.js';
import { cannotControlBroker, resumeBroker, stopBroker } from './broker.js';
import { recoverySec, tally } from './tally.js';
import type { CaseResult } from './case.js';

export const OUTAGE_MS = 15_000;

export async function brokerOutage(expected: ReadonlySet<string>): Promise<CaseResult> {
  const refused = await cannotControlBroker();
  if (refused) return { name: 'broker-outage', lost: null, duplicated: null, recoverySec: null, error: `not run: ${refused}` };
  const d = await FaultDeploy.create('faults-outage', CLIP_RUN);
  let collector: MatchCollector | null = null;
  let stopped = false;
  try {
    await d.deploy();
    collector = await MatchCollector.open(d.matchesTopic, d.resultsTopic);
    const c = collector;
    await until('a quarter of the results', async () => c.deliveries.length >= expected.size / 4, 180_000);
    const before = c.deliveries.length;
    const stopAt = Date.now();
    stopped = true;
    await stopBroker();
    const down = Date.now();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await resumeBroker();
    stopped = false;
    const upAt = Date.now();
    const complete = await c.settle(expected, 240_000);
    const t = tally(expected, c.deliveries);
    const s = await d.status();
    // Windows close 15 s (idleMs) after the last record; a worker whose group stalled restarts first (30 s, REJOIN_LIMIT_MS).
    const ev = await collector!.eventReport(false, 120_000);
    return {
      name: 'broker-outage',
      eventsLost: ev.eventsLost,
      eventsDuplicated: ev.eventsDuplicated,
      lost: t.lost,
      duplicated: t.duplicated,
      recoverySec: recoverySec(c.deliveries, upAt),
      detail: {
        events: ev.events,
        ...t,
        complete,
        collectorReadErrors: c.readErrors.length,
        deliveredBeforeOutage: before,
        stopTookSec: (down - stopAt) / 1000,
        outageSec: (upAt - down) / 1000,
        workerRestarts: Object.fromEntries(s.processes.map((p) => [p.id, p.restarts])),
        framesDropped: s.operators.reduce((n, o) => n + o.dropped, 0),
        ...(t.lost || ev.eventsLost ? { restartsAfterEvents: Object.fromEntries((await d.status()).processes.map((p) => [p.id, p.restarts])) } : {}),
      },
    };
  } finally {
    if (stopped) await resumeBroker().catch(() => undefined);
    await collector?.close();
    await d.undeploy();
  }
}
