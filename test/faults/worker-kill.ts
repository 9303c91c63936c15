// Case worker-kill: kill -9 the gateway worker (detect -> embed -> match) mid-stream. The supervisor restarts
// it; the new process re-reads frames from the last committed offset, so results are replayed, never lost.
import { FaultDeploy, MatchCollector, CLIP_RUN } from '../helpers/faults.js';
import { until } from '../helpers/deploy.js';
import { recoverySec, tally } from './tally.js';
import type { CaseResult } from './case.js';

export async function workerKill(expected: ReadonlySet<string>): Promise<CaseResult> {
  const d = await FaultDeploy.create('faults-kill', CLIP_RUN);
  let collector: MatchCollector | null = null;
  try {
    await d.deploy();
    collector = await MatchCollector.open(d.matchesTopic, d.resultsTopic);
    const c = collector;
    // The pid is looked up first: a status call takes about a second, the stream itself only ten.
    const gateway = (await d.waitUp()).processes.find((p) => p.id === 'gateway');
    if (!gateway?.pid) throw new Error('no gateway worker to kill');
    // Mid-stream: a quarter of the reference results are out.
    await until('a quarter of the results', async () => c.deliveries.length >= expected.size / 4, 180_000, 50);
    const before = c.deliveries.length;
    const killedAt = Date.now();
    process.kill(gateway.pid, 'SIGKILL');
    const restarted = await until('the gateway restarted', async () => {
      const g = (await d.status()).processes.find((p) => p.id === 'gateway');
      return g && g.restarts >= 1 && g.state === 'up' && d.worker('gateway');
    }, 60_000);
    const complete = await c.settle(expected, 180_000);
    const t = tally(expected, c.deliveries);
    // Results of the killed process still in flight could arrive just after the kill; from the restarted process's
    // start on, every delivery is the new process's work.
    const fromNew = c.deliveries.filter((x) => x.at >= restarted.startedAt);
    const ev = await collector!.eventReport(false);
    return {
      name: 'worker-kill',
      eventsLost: ev.eventsLost,
      eventsDuplicated: ev.eventsDuplicated,
      lost: t.lost,
      duplicated: t.duplicated,
      recoverySec: fromNew.length ? recoverySec(fromNew, killedAt) : null,
      detail: {
        events: ev.events, ...t, complete, deliveredBeforeKill: before, restartedAfterSec: (restarted.startedAt - killedAt) / 1000, firstAnyDeliveryAfterKillSec: recoverySec(c.deliveries, killedAt) },
    };
  } finally {
    await collector?.close();
    await d.undeploy();
  }
}
