// Counting a fault run against a clean reference: a result is one face match keyed by its record identity (camera,
// decode epoch, frame seq) and face index. Runs differ in epochs, so the comparison with the reference numbers each
// camera's epochs in the order they appear (the first session is 0). The consumer keeps the first delivery of each
// key; replays that disagree with it would make that unsafe.
import type { MatchesRecord } from '../../operators/streams/records.js';

export interface Delivered {
  key: string;
  /** What the result says (identity and box), to tell an exact replay from a different answer for the same key. */
  content: string;
  /** When the collector received it, ms since epoch. */
  at: number;
}

export interface Tally {
  expected: number;
  /** Distinct keys delivered. */
  delivered: number;
  /** Expected keys never delivered. */
  lost: number;
  /** Deliveries beyond the first of their key (what an at-least-once stream replays). */
  rawDuplicates: number;
  /** Keys still duplicated after keep-first de-duplication: 0 by construction, kept so the report states it. */
  duplicated: number;
  /** Replays whose content differs from the first delivery of their key: keep-first would then hide a change. */
  conflicting: number;
  /** Keys the reference run never produced. */
  unexpected: number;
}

export const resultKey = (camera: string, session: number, seq: number, index: number) => `${camera}/${session}/${seq}/${index}`;

/** Numbers each camera's epochs 0, 1, ... in the order they are first seen. */
export class Sessions {
  private readonly byCamera = new Map<string, string[]>();
  of(camera: string, epoch: string): number {
    let list = this.byCamera.get(camera);
    if (!list) this.byCamera.set(camera, (list = []));
    if (!list.includes(epoch)) list.push(epoch);
    return list.indexOf(epoch);
  }
}

/** One delivery per face of a matches record. */
export function resultsOf(record: MatchesRecord, at: number, sessions = new Sessions()): Delivered[] {
  const session = sessions.of(record.camera, record.epoch);
  return record.faces.map((f) => ({ key: resultKey(record.camera, session, record.seq, f.index), content: `${f.identity ?? '?'}@${f.box.map((v) => Math.round(v)).join(',')}`, at }));
}

/** Keep-first de-duplication: the first delivery of each key, in arrival order. */
export function dedupe(deliveries: Delivered[]): Delivered[] {
  const seen = new Set<string>();
  return deliveries.filter((d) => !seen.has(d.key) && seen.add(d.key));
}

export function tally(expected: ReadonlySet<string>, deliveries: Delivered[]): Tally {
  const first = new Map<string, Delivered>();
  let conflicting = 0;
  for (const d of deliveries) {
    const f = first.get(d.key);
    if (!f) first.set(d.key, d);
    else if (f.content !== d.content) conflicting++;
  }
  const kept = dedupe(deliveries);
  const keptKeys = new Set(kept.map((d) => d.key));
  return {
    expected: expected.size,
    delivered: first.size,
    lost: [...expected].filter((k) => !first.has(k)).length,
    rawDuplicates: deliveries.length - first.size,
    duplicated: kept.length - keptKeys.size,
    conflicting,
    unexpected: [...first.keys()].filter((k) => !expected.has(k)).length,
  };
}

/** Seconds from `since` to the first delivery after it, or null when none came. */
export function recoverySec(deliveries: Delivered[], since: number): number | null {
  const next = deliveries.find((d) => d.at > since);
  return next ? Math.round((next.at - since) / 100) / 10 : null;
}
