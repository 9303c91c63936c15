// One partition of an embedded compacted topic (a changelog): only the latest record of each key is held, and a
// tombstone removes its key, so memory follows the live state and not the history of writes. Offsets still grow
// with every write, as on Kafka, so a restore sees the order of the records it gets. Like Kafka's
// delete.retention.ms, a tombstone stays readable for a while (TOMBSTONE_RETENTION_MS) to a reader that asks from an
// offset before it: a warm standby catching up must see the keys deleted since it read.
import type { Headers, PartitionEntry } from '../contract.js';

export const TOMBSTONE_RETENTION_MS = 10 * 60_000;

export class CompactedLog {
  private readonly latest = new Map<string, { offset: number; value: Uint8Array; headers: Headers }>();
  /** Recent tombstones by key, in offset order: offset, headers and when they were written. */
  private readonly tombstones = new Map<string, { offset: number; headers: Headers; at: number }>();
  private next = 0;

  write(key: string, value: Uint8Array | null, headers: Headers, now = Date.now()): number {
    const offset = this.next++;
    // Re-inserting keeps the maps in offset order, so a read returns records as a compacted log would.
    this.latest.delete(key);
    this.tombstones.delete(key);
    if (value !== null) this.latest.set(key, { offset, value, headers: { ...headers } });
    else this.tombstones.set(key, { offset, headers: { ...headers }, at: now });
    for (const [k, t] of this.tombstones) {
      if (now - t.at < TOMBSTONE_RETENTION_MS) break;
      this.tombstones.delete(k);
    }
    return offset;
  }

  get end(): number {
    return this.next;
  }

  /** The latest record of every live key; with `from` > 0, only records at or after it, tombstones included. */
  read(from = 0): PartitionEntry[] {
    const live = [...this.latest].map(([key, r]) => ({ offset: r.offset, key, value: r.value as Uint8Array | null, headers: { ...r.headers } }));
    if (from <= 0) return live;
    const deleted = [...this.tombstones].map(([key, t]) => ({ offset: t.offset, key, value: null, headers: { ...t.headers } }));
    return [...live, ...deleted].filter((r) => r.offset >= from).sort((a, b) => a.offset - b.offset);
  }
}
