// One partition of an embedded compacted topic (a changelog): only the latest record of each key is held, and a
// tombstone removes its key, so memory follows the live state and not the history of writes. Offsets still grow
// with every write, as on Kafka, so a restore sees the order of the records it gets.
import type { Headers, PartitionEntry } from '../contract.js';

export class CompactedLog {
  private readonly latest = new Map<string, { offset: number; value: Uint8Array; headers: Headers }>();
  private next = 0;

  write(key: string, value: Uint8Array | null, headers: Headers): number {
    const offset = this.next++;
    // Re-inserting keeps the map in offset order, so a read returns records as a compacted log would.
    this.latest.delete(key);
    if (value !== null) this.latest.set(key, { offset, value, headers: { ...headers } });
    return offset;
  }

  get end(): number {
    return this.next;
  }

  read(): PartitionEntry[] {
    return [...this.latest].map(([key, r]) => ({ offset: r.offset, key, value: r.value, headers: { ...r.headers } }));
  }
}
