// A site's own Kafka cluster for the sites tests, and the clip deployed as a site behind an emulated WAN: a second broker beside the suite's (infra/kafka/broker.sh with
// TIERFLOW_KAFKA_INSTANCE), on its own ports and storage, started fresh and stopped by the test.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths.js';
import { FaultDeploy, MatchCollector, type FaultTopology } from './faults.js';
import { LinkProxy, type LinkFaults } from './link-proxy.js';
import { kafkaFromEnv } from './kafka.js';
import type { CliResult } from './deploy.js';
import { compileTopology } from '../../pipelines/cli/compile.js';
import './operators.js'; // the registry compileTopology plans with
import { createKafkaBackbone } from '../../pipelines/backbone/kafka/index.js';
import { plannedTopicSpecs } from '../../pipelines/runtime/provision.js';

const run = promisify(execFile);
const script = join(repoRoot, 'infra', 'kafka', 'broker.sh');

export interface SiteBroker {
  brokers: string;
  /** Its LINK listener, and the port that listener advertises, where a link proxy (the site's WAN) may listen:
   *  clients bootstrapped through the proxy stay behind it. */
  link: { listener: string; advertised: string };
  stop(): Promise<void>;
}

/** Ports base..base+4: PLAINTEXT, SASL_SSL, controller, LINK and the LINK listener's advertised port. */
export async function startSiteBroker(instance: string, base: number): Promise<SiteBroker> {
  const env = {
    ...process.env,
    TIERFLOW_KAFKA_INSTANCE: instance,
    TIERFLOW_KAFKA_PLAIN_PORT: String(base),
    TIERFLOW_KAFKA_SASL_PORT: String(base + 1),
    TIERFLOW_KAFKA_CONTROLLER_PORT: String(base + 2),
    TIERFLOW_KAFKA_LINK_PORT: String(base + 3),
    TIERFLOW_KAFKA_LINK_ADVERTISED_PORT: String(base + 4),
  };
  await run('bash', [script, 'stop'], { env }).catch(() => {});
  await run('bash', [script, 'start'], { env, timeout: 180_000 });
  return { brokers: `127.0.0.1:${base}`, link: { listener: `127.0.0.1:${base + 3}`, advertised: `127.0.0.1:${base + 4}` }, stop: async () => void (await run('bash', [script, 'stop'], { env, timeout: 60_000 })) };
}

export interface SiteRun {
  d: FaultDeploy;
  proxy: LinkProxy;
  /** The shop's brokers as the cloud reaches them: through the proxy. */
  wan: string;
  /** What `tierflow deploy` printed. */
  deployed: CliResult;
  /** The WAN's other direction, when asked for: the shop's MirrorMaker reads the central cluster through it. */
  down: LinkProxy | null;
  /** The site's matches on its own cluster, and the same topic on the central one (what crossed the WAN; with
   *  `centralMatches: false` only the events there). */
  local: MatchCollector;
  central: MatchCollector;
}

export interface SiteOptions {
  /** The WAN's downward direction too: a link proxy in front of the suite broker's LINK listener, which the shop's
   *  MirrorMaker (there when something is mirrored down, the live gallery) reads the central cluster through. */
  centralLink?: { faults: LinkFaults; listener: () => string; advertised: () => string };
  /** The WAN is down from before the deploy for this long (the shop's cluster unreachable from the cloud). */
  wanDownForMs?: number;
  /** The central cluster as the topology names it is a link proxy in front of the suite broker's LINK listener,
   *  down from before the deploy for this long: the cloud's cluster unreachable at deploy, for everyone. */
  cloudDownForMs?: number;
  /** False: the matches topic stays at the shop (aggregate runs there), so the central collector reads only events. */
  centralMatches?: false;
}

/** The suite broker's LINK listener and its advertised address (infra/kafka/broker.sh exports both). */
export function centralLinkOf(faults: LinkFaults): NonNullable<SiteOptions['centralLink']> {
  const env = (name: string) => () => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set: run through infra/kafka/with-broker.sh`);
    return v;
  };
  return { faults, listener: env('KAFKA_LINK_LISTENER'), advertised: env('KAFKA_LINK_ADVERTISED') };
}

/** The plan's topics on the suite broker itself, as a cloud that had them before it became unreachable. */
async function provisionCentral(file: string): Promise<void> {
  const { plan } = await compileTopology(file);
  const backbone = await createKafkaBackbone({ ...kafkaFromEnv(), clientId: 'tierflow-sites-test' });
  try {
    await backbone.provision(plannedTopicSpecs(plan));
  } finally {
    await backbone.close();
  }
}

/**
 * The clip with its camera nodes and gateway as site `shop` (a broker of its own from port `port`), the cloud on the
 * suite's broker, where MirrorMaker 2 pulls the shop's topics through a link proxy (`link`, the WAN) in front of the
 * shop broker's LINK listener. Runs `during`, then undeploys everything, also on failure.
 */
export async function withSite<T>(port: number, prefix: string, link: LinkFaults, opts: Omit<FaultTopology, 'sites' | 'acls'> & SiteOptions, during: (r: SiteRun) => Promise<T>): Promise<T> {
  const { centralLink, wanDownForMs, cloudDownForMs, centralMatches, ...topology } = opts;
  const shop = await startSiteBroker('shop', port);
  const wan = shop.link.advertised;
  const proxy = await LinkProxy.start(wan, shop.link.listener, link);
  if (wanDownForMs) {
    proxy.setFaults({ ...link, blackoutMs: wanDownForMs });
    proxy.reset();
    proxy.setFaults(link);
  }
  const suiteLink = cloudDownForMs ? centralLinkOf({}) : centralLink;
  const down = suiteLink ? await LinkProxy.start(suiteLink.advertised(), suiteLink.listener(), suiteLink.faults) : null;
  if (down && cloudDownForMs) {
    down.setFaults({ blackoutMs: cloudDownForMs });
    down.reset();
    down.setFaults({});
  }
  const cameraNodes = Array.from({ length: opts.cameras ?? 1 }, (_, i) => `cam-${i + 1}-node`);
  const d = await FaultDeploy.create(prefix, {
    maxLatencyMs: 300_000,
    ...topology,
    ...(cloudDownForMs ? { brokers: [suiteLink!.advertised()] } : {}),
    acls: false, // sites with backbone.security are refused for now (one credential set per cluster is not built)
    sites: `[{ name: shop, nodes: [${[...cameraNodes, 'gateway'].join(', ')}], brokers: ["${shop.brokers}"], wanBrokers: ["${wan}"]${centralLink ? `, centralBrokers: ["${centralLink.advertised()}"]` : ''} }]`,
  });
  let local: MatchCollector | null = null;
  let central: MatchCollector | null = null;
  try {
    // The cloud had its topics before it went away (the collectors below read them directly, not through the proxy).
    if (cloudDownForMs) await provisionCentral(d.file);
    const deployed = await d.deploy();
    local = await MatchCollector.open(d.matchesTopic, undefined, [shop.brokers]);
    central = await MatchCollector.open(centralMatches === false ? null : d.matchesTopic, d.resultsTopic);
    return await during({ d, proxy, down, wan, local, central, deployed });
  } finally {
    await local?.close();
    await central?.close();
    await d.undeploy();
    await proxy.close();
    await down?.close();
    await shop.stop();
  }
}
