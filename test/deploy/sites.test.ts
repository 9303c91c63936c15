// Sites end to end on real brokers: a shop with its own Kafka cluster (cameras and the gateway) and the central one
// (the cloud), MirrorMaker 2 beside the cloud pulling the shop's matches through an emulated WAN (the link proxy in
// front of the shop broker's LINK listener). What the shop recognised arrives in the cloud exactly once, the
// cloud aggregates it into events, status shows the mirror, and undeploy leaves nothing running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withSite } from '../helpers/site-broker.js';
import { until } from '../helpers/deploy.js';
import { tally } from '../faults/tally.js';
import { alive } from '../../pipelines/deploy/local/state.js';
import { kafkaFromEnv } from '../helpers/kafka.js';

/** The shop's cluster, beside the suite's broker (29092..29096). */
const SHOP_PORT = 29192;

test('a two-site deploy: the shop recognises on its own cluster and MirrorMaker 2 carries its matches to the cloud exactly once', { timeout: 420_000 }, async () => {
  let mirrorPid: number | null | undefined;
  // The WAN: 20 ms each way between the shop's cluster and the cloud's MirrorMaker, which consumes through it.
  await withSite(SHOP_PORT, 'sites', { up: { delayMs: 20 }, down: { delayMs: 20 } }, { cameras: 1, fps: 10 }, async ({ d, proxy, wan, local, central }) => {
    await d.waitSourcesEnded(240_000);
    // MirrorMaker is `starting` until its log says its source connector started (some 20 s after its start).
    const s = await until('the mirror running', async () => {
      const st = await d.status();
      return st.mirrors[0]?.state === 'running' ? st : null;
    }, 120_000);
    mirrorPid = s.mirrors[0]?.pid;
    assert.equal(s.mirrors.length, 1);
    assert.equal(s.mirrors[0]!.site, 'central');
    assert.equal(s.mirrors[0]!.state, 'running');
    assert.deepEqual(s.mirrors[0]!.wan, { brokers: [wan], up: true });
    assert.deepEqual(s.mirrors[0]!.flows, [`shop->central: ${d.matchesTopic}`]);
    // Every match the shop made, and nothing else, reaches the cloud.
    await until('the shop to finish matching', async () => local.records > 0 && Date.now() - local.lastAt > 5_000, 120_000);
    const shopKeys = new Set(local.deliveries.map((x) => x.key));
    assert.ok(shopKeys.size > 0, 'the shop recognised no one');
    await until('every shop match in the cloud', async () => central.records >= local.records, 120_000);
    const t = tally(shopKeys, central.deliveries);
    assert.equal(t.lost, 0);
    assert.equal(t.duplicated, 0);
    assert.equal(central.records, local.records);
    // The cloud's aggregate turned them into events, none lost or doubled.
    const ev = await central.eventReport(false);
    assert.ok(ev.events.eventsDelivered > 0, 'no sighting events in the cloud');
    assert.equal(ev.eventsLost, 0);
    assert.equal(ev.eventsDuplicated, 0);
    assert.ok(proxy.stats.bytesDown > 0, 'nothing crossed the WAN proxy');
    // Everything the shop made is in the cloud: MirrorMaker's committed offsets say so too.
    const after = (await d.status()).mirrors[0]!;
    assert.deepEqual(after.cluster, { brokers: kafkaFromEnv().brokers, up: true });
    assert.deepEqual(after.backlog, { records: 0, exact: true });
  });
  if (mirrorPid) assert.equal(alive(mirrorPid), false, 'MirrorMaker outlived undeploy');
});
