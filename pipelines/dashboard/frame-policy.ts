// Which pictures a dashboard process may serve. Frames and face crops may be shown only by a process that sits
// on a tier their policy lets them reach: the cloud never receives a frame to show, so its dashboard has no
// snapshot or thumbnail route at all (not a route that refuses).
import type { DataClass } from '../topology/schema.js';

export interface PicturePolicy {
  /** Camera snapshots (frame data) may be served. */
  snapshots: boolean;
  /** Face thumbnails (crop data) may be served. */
  thumbnails: boolean;
}

/** `limits`: outermost tier index per data class (plan/policy.ts); `hostTier`: the tier this process sits on. */
export function picturePolicy(tiers: readonly string[], limits: Record<DataClass, { tierIndex: number }>, hostTier: string): PicturePolicy {
  const at = tiers.indexOf(hostTier);
  if (at < 0) return { snapshots: false, thumbnails: false };
  return { snapshots: at <= limits.frame.tierIndex, thumbnails: at <= limits.crop.tierIndex };
}

/**
 * The tier a `tierflow run` process sits on for this purpose: it hosts every node, but frames exist in it only
 * where the plan put the operators that handle them, so it counts as the outermost of those tiers.
 */
export function frameHostTier(tiers: readonly string[], frameTiers: readonly string[]): string {
  const indices = frameTiers.map((t) => tiers.indexOf(t)).filter((i) => i >= 0);
  return tiers[indices.length ? Math.max(...indices) : tiers.length - 1]!;
}
