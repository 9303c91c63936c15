// What match found for a track, told back to the tracker that decides when the track is embedded again: a known
// face is re-embedded every `reembedEvery` frames, an unknown one every `unknownRetryEvery`. The board lives in the
// worker's process, so the answer arrives when detect and match run in the same worker (the default plan fuses
// detect -> embed -> match on the gateway); when they do not, the tracker hears nothing and treats every track as
// not yet known (re-embedded at the shorter period: more work, the same results).

/** A track on a camera's session: `camera/epoch/track`. */
export const trackKey = (camera: string, epoch: string, track: number): string => `${camera}/${epoch}/${track}`;

/** Sets `key` as the newest entry of `map`, forgetting the oldest beyond `limit` (a Map keeps insertion order). */
export function remember<V>(map: Map<string, V>, key: string, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value!);
}

/** Tracks remembered at most: a match without a detect in its worker writes and nobody forgets, so the oldest go. */
const LIMIT = 10_000;

export class IdentityBoard {
  private readonly known = new Map<string, string | null>();

  /** match: the track's face was embedded and matched; `identity` null is nobody in the gallery. */
  tell(key: string, identity: string | null): void {
    remember(this.known, key, identity, LIMIT);
  }

  /** undefined: nothing heard (not matched yet, or match runs elsewhere). */
  read(key: string): string | null | undefined {
    return this.known.get(key);
  }

  /** The tracker: the track ended. */
  forget(key: string): void {
    this.known.delete(key);
  }

  get size(): number {
    return this.known.size;
  }
}

/** The worker's board: one per process, shared by every detect and match in it. */
export const IDENTITIES = new IdentityBoard();
