// What an operator module may add to tierflow besides its operators, as its named export `extension`: commands of
// its own in the CLI (the face library: models, enroll, faces) and what the dashboard shows of a run's records
// (pipelines/dashboard/feed.ts). The engine names neither; it asks the registry's extensions.
import type { Command } from 'commander';
import type { Plan } from './plan/types.js';
import type { LiveFeed } from './dashboard/feed.js';

export interface ModuleExtension {
  /** Adds this module's commands to the CLI, after tierflow's own. */
  commands?(program: Command): void;
  /** The dashboard feed for a `tierflow run` of this plan, or undefined when the plan has nothing it shows. */
  liveFeed?(plan: Plan): Promise<LiveFeed | undefined>;
}

/** The first feed an extension makes for the plan, or undefined: the dashboard then shows status and graph only. */
export async function liveFeedFor(plan: Plan, extensions: readonly ModuleExtension[]): Promise<LiveFeed | undefined> {
  for (const e of extensions) {
    const feed = await e.liveFeed?.(plan);
    if (feed) return feed;
  }
  return undefined;
}
