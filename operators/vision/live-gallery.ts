// `tierflow enroll <dir> --live` and `tierflow enroll --live --remove <name...>`: the live gallery of a local deploy
// (a match flow with liveGallery: true) is its table topic in the central cluster; each identity is one record
// keyed by its name, a removal a tombstone. MirrorMaker 2 carries them to every site, where match applies them
// without a restart. The deploy's plan names the topic and the brokers, as for `tail`.
import type { Plan } from '../../pipelines/plan/types.js';
import type { Identity } from './gallery.js';
import { encodeGalleryEntry, GALLERY_TABLE } from './gallery-table.js';
import { TierflowError } from '../../pipelines/errors.js';
import { openBackbone } from '../../pipelines/backbone/open.js';
import { findDeploy } from '../../pipelines/deploy/local/find.js';
import { deployBrokers, kafkaSpec } from '../../pipelines/deploy/local/lifecycle.js';
import { readDesired, readJson } from '../../pipelines/deploy/local/state.js';

export interface LiveTarget {
  topic: string;
  brokers: string[];
  plan: Plan;
}

/** The live gallery of the local deploy `topology` (or the only one): its topic and the central cluster's brokers. */
export async function liveGalleryOf(stateDir: string, topology: string | undefined, brokersFlag: string | undefined): Promise<LiveTarget> {
  const paths = await findDeploy(stateDir, topology);
  const plan = readJson<Plan>(paths.plan);
  if (!plan) throw new TierflowError('DEPLOY_STATE', `${paths.plan}: the deploy's plan is missing or unreadable; deploy again`, { exitCode: 2 });
  const topic = plan.topics.find((t) => t.kind === 'table' && t.name === `tierflow.${plan.topology}.${GALLERY_TABLE}`)?.name;
  if (!topic) throw new TierflowError('BAD_ARGUMENT', `deploy ${plan.topology} has no live gallery: set liveGallery: true in its match flow's config (instead of gallery: <file>) and deploy again`, { exitCode: 2 });
  const brokers = brokersFlag !== undefined ? deployBrokers(plan, brokersFlag) : readDesired(paths).brokers;
  return { topic, brokers, plan };
}

/** Publishes identities (replacing any of the same name) or removes names; resolves once the brokers acked all. */
export async function writeLiveGallery(target: LiveTarget, change: { put: Identity[]; modelSha256: string } | { remove: string[] }): Promise<void> {
  const backbone = await openBackbone(kafkaSpec(target.plan, target.brokers));
  try {
    const producer = await backbone.producer();
    try {
      if ('remove' in change) {
        const enrolled = new Map<string, boolean>();
        for (const r of await backbone.readPartition(target.topic, 0)) enrolled.set(r.key, r.value !== null);
        const missing = change.remove.filter((n) => !enrolled.get(n));
        if (missing.length > 0) throw new TierflowError('BAD_ARGUMENT', `not in the live gallery ${target.topic}: ${missing.join(', ')}; nothing removed`, { exitCode: 2 });
      }
      const records = 'put' in change
        ? change.put.map((i) => ({ topic: target.topic, key: i.name, value: encodeGalleryEntry(change.modelSha256, i) }))
        : change.remove.map((name) => ({ topic: target.topic, key: name, value: null }));
      await Promise.all(records.map((r) => producer.send(r)));
      await producer.flush();
    } finally {
      await producer.close();
    }
  } finally {
    await backbone.close();
  }
}
