// The engine's keyed state for one stateful operator: a map per input partition, the keys changed since the last
// checkpoint, and the facade the operator sees as ctx.state (the store of the partition being processed). Pure:
// no backbone here; ./changelog.ts writes and restores what this records.
import type { StateStore } from '../../operator.js';
import { TierflowError } from '../../errors.js';

/** A change to persist: the value as it was when the change was taken (null: deleted). */
export interface StateChange<V> {
  partition: number;
  key: string;
  value: V | null;
}

/** Values are frozen, arrays and plain objects one level down too, so a change in place throws instead of vanishing. */
function freeze<V>(value: V): V {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v)) Object.freeze(v);
    Object.freeze(value);
  }
  return value;
}

export class PartitionedState<V = unknown> {
  private readonly maps = new Map<number, Map<string, V>>();
  private readonly dirty = new Map<number, Set<string>>();
  private current: number | null = null;
  readonly store: StateStore<V>;

  /** `scopeName` names a partition's store (see StateStore.scope). */
  constructor(
    readonly operator: string,
    scopeName: (partition: number) => string = (p) => `p${p}`,
  ) {
    const now = () => this.scopeNow();
    const map = () => this.map();
    this.store = {
      get partition() {
        return now();
      },
      get scope() {
        return scopeName(now());
      },
      get: (key) => map().get(key),
      set: (key, value) => {
        map().set(key, freeze(value));
        this.touch(key);
      },
      delete: (key) => {
        if (map().delete(key)) this.touch(key);
      },
      entries: () => map().entries(),
      get size() {
        return map().size;
      },
    };
  }

  /** Partitions whose state is held here (restored, not revoked). */
  partitions(): number[] {
    return [...this.maps.keys()].sort((a, b) => a - b);
  }

  has(partition: number): boolean {
    return this.maps.has(partition);
  }

  /** Installs a partition's restored state (replacing anything held for it). */
  load(partition: number, entries: Iterable<[string, V]>): void {
    const m = new Map<string, V>();
    for (const [k, v] of entries) m.set(k, freeze(v));
    this.maps.set(partition, m);
    this.dirty.delete(partition);
  }

  /** Forgets a partition (handed over to another owner); changes not taken are discarded. */
  drop(partition: number): void {
    this.maps.delete(partition);
    this.dirty.delete(partition);
    if (this.current === partition) this.current = null;
  }

  /** Makes ctx.state the store of `partition` until the next call. */
  enter(partition: number): void {
    if (!this.maps.has(partition)) throw new TierflowError('INTERNAL', `${this.operator}: state of partition ${partition} is not restored`);
    this.current = partition;
  }

  leave(): void {
    this.current = null;
  }

  /** The changes since the last call, each key once with its value now. */
  takeChanges(): Array<StateChange<V>> {
    const out: Array<StateChange<V>> = [];
    for (const [partition, keys] of this.dirty) {
      const m = this.maps.get(partition);
      for (const key of keys) out.push({ partition, key, value: m?.get(key) ?? null });
    }
    this.dirty.clear();
    return out;
  }

  private scopeNow(): number {
    if (this.current === null) throw new TierflowError('INTERNAL', `${this.operator}: ctx.state used outside process or flush`);
    return this.current;
  }

  private map(): Map<string, V> {
    return this.maps.get(this.scopeNow())!;
  }

  private touch(key: string): void {
    const p = this.scopeNow();
    let keys = this.dirty.get(p);
    if (!keys) this.dirty.set(p, (keys = new Set()));
    keys.add(key);
  }
}

/** A store of one partition, entered: what tests and benchmarks hand an operator they build directly. */
export function memoryStateStore<V = unknown>(operator = 'op'): StateStore<V> {
  const s = new PartitionedState<V>(operator);
  s.load(0, []);
  s.enter(0);
  return s.store;
}
