// A table an operator follows (OperatorDefinition.table): its compacted topic is read whole before the operator is
// created, then read again from where it stopped every `intervalMs`, so a change the user published (and MirrorMaker
// carried to this site) reaches the operator within about one interval. Each read is the restore reader's
// (`readPartition`), outside any consumer group: every replica sees every key, and nothing is committed.
import type { Backbone } from '../backbone/contract.js';
import type { TableView } from '../operator.js';

export const TABLE_POLL_MS = 1000;

export class TableFollower implements TableView {
  private readonly values = new Map<string, Uint8Array>();
  private next = 0;
  private changes = 0;
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private failing = false;

  constructor(
    readonly topic: string,
    private readonly backbone: Pick<Backbone, 'readPartition'>,
    private readonly log: (message: string) => void,
    private readonly intervalMs = TABLE_POLL_MS,
  ) {}

  get version(): number {
    return this.changes;
  }

  entries(): ReadonlyMap<string, Uint8Array> {
    return this.values;
  }

  /** Reads the table to its end (failing with the backbone's error), then follows it until `stop`. */
  async start(): Promise<void> {
    await this.read();
    this.timer = setInterval(() => {
      this.reading ??= this.read()
        .then(() => {
          if (this.failing) this.log(`table ${this.topic}: reading again`);
          this.failing = false;
        })
        .catch((e: unknown) => {
          // The site's own cluster holds the table: a read fails only while that broker is away. Keep what was read.
          if (!this.failing) this.log(`table ${this.topic}: cannot read, keeping ${this.values.size} keys: ${(e as Error).message}`);
          this.failing = true;
        })
        .finally(() => (this.reading = null));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.reading?.catch(() => undefined);
  }

  private async read(): Promise<void> {
    const records = await this.backbone.readPartition(this.topic, 0, this.next);
    for (const r of records) {
      if (r.value === null) this.values.delete(r.key);
      else this.values.set(r.key, r.value);
      this.next = r.offset + 1;
    }
    if (records.length > 0) this.changes++;
  }
}
