// One partition of an embedded topic: an in-memory log with offsets, bounded in records and bytes. Appends
// beyond the bound wait in FIFO order (so one producer's records keep their order) until consumer groups commit
// past old records and `trim` frees room: that wait is the embedded backbone's backpressure.
import type { Headers } from '../contract.js';
import { TierflowError } from '../../errors.js';

export interface StoredRecord {
  offset: number;
  key: string;
  value: Uint8Array;
  headers: Headers;
  timestamp: number;
  bytes: number;
}

export interface PartitionBound {
  maxBytes: number;
  maxRecords: number;
}

type Pending = { record: Omit<StoredRecord, 'offset'>; resolve: (offset: number) => void; reject: (e: Error) => void };

export class PartitionLog {
  private records: StoredRecord[] = [];
  private base = 0;
  private bytes = 0;
  private pending: Pending[] = [];
  private closed = false;

  constructor(
    private readonly bound: PartitionBound,
    private readonly onAppend: () => void,
  ) {}

  /** Offset of the oldest record still held (Kafka's low watermark). */
  get start(): number {
    return this.base;
  }

  /** Offset the next record gets (Kafka's high watermark). */
  get end(): number {
    return this.base + this.records.length;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  /** Appends when within the bound (an empty log takes any one record, so an oversize record cannot deadlock). */
  append(record: Omit<StoredRecord, 'offset'>): Promise<number> {
    if (this.closed) return Promise.reject(new TierflowError('BACKBONE_CLOSED', 'embedded backbone is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ record, resolve, reject });
      this.drain();
    });
  }

  /** Up to `max` records from `offset` on. */
  read(offset: number, max: number): StoredRecord[] {
    const from = Math.max(offset, this.base) - this.base;
    return this.records.slice(from, from + max);
  }

  /** Drops records below `offset` (every group has committed past them) and admits waiting appends. */
  trim(offset: number): void {
    const n = Math.min(offset, this.end) - this.base;
    if (n <= 0) return;
    for (let i = 0; i < n; i++) this.bytes -= this.records[i]!.bytes;
    this.records.splice(0, n);
    this.base += n;
    this.drain();
  }

  close(): void {
    this.closed = true;
    const err = new TierflowError('BACKBONE_CLOSED', 'embedded backbone closed while a send waited for room');
    for (const p of this.pending.splice(0)) p.reject(err);
  }

  private fits(size: number): boolean {
    if (this.records.length === 0) return true;
    return this.records.length < this.bound.maxRecords && this.bytes + size <= this.bound.maxBytes;
  }

  private drain(): void {
    let appended = false;
    while (this.pending.length > 0 && this.fits(this.pending[0]!.record.bytes)) {
      const p = this.pending.shift()!;
      const offset = this.end;
      this.records.push({ ...p.record, offset });
      this.bytes += p.record.bytes;
      p.resolve(offset);
      appended = true;
    }
    if (appended) this.onAppend();
  }
}
