// An operator's changelog on the backbone: state changes go out as records keyed by state key on the partition of
// the input partition they belong to (a deletion as a tombstone), and a restore reads a partition back and decodes
// it with the operator's declared schema. A record the schema cannot read stops the restore with one line naming
// the topic: a silently empty state would lose what the changelog holds.
import avro from 'avsc';
import type { Backbone, Producer } from '../../backbone/contract.js';
import { HEADER_SCHEMA } from '../../backbone/contract.js';
import type { StateDeclaration } from '../../operator.js';
import { TierflowError } from '../../errors.js';
import type { StateChange } from './store.js';

/** Encodes and decodes one operator's state values with its declared Avro schema. */
export class StateCodec {
  private readonly type: avro.Type;
  readonly header: string;

  constructor(
    readonly operator: string,
    readonly declaration: StateDeclaration,
  ) {
    this.type = avro.Type.forSchema(declaration.schema as avro.Schema, { registry: {} });
    this.header = `state.${operator}/v${declaration.version}`;
  }

  encode(value: unknown): Buffer {
    try {
      return this.type.toBuffer(value);
    } catch (e) {
      throw new TierflowError('INTERNAL', `${this.operator}: a state value does not fit its declared schema: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Throws a message fragment (what is wrong) for bytes or a header this codec cannot read. */
  decode(value: Uint8Array, header: string | undefined): unknown {
    const m = header === undefined ? null : /^state\.(.+)\/v(\d+)$/.exec(header);
    if (!m) throw new Error(`its schema header is '${header ?? '(none)'}', not ${this.header}`);
    const version = Number(m[2]);
    if (version > this.declaration.version) throw new Error(`it was written with ${m[1]} state v${m[2]}; this version reads up to v${this.declaration.version}`);
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (version === this.declaration.version) return this.type.fromBuffer(bytes);
    return this.type.fromBuffer(bytes, this.resolverFrom(version));
  }

  private readonly resolvers = new Map<number, avro.Resolver>();

  /** Reads records written with an earlier version's schema (declaration.previous) as this version. */
  private resolverFrom(version: number): avro.Resolver {
    let r = this.resolvers.get(version);
    if (!r) {
      const older = this.declaration.previous?.[version - 1];
      if (!older) throw new Error(`it was written with state v${version}, whose schema ${this.operator} no longer declares (state.previous)`);
      r = this.type.createResolver(avro.Type.forSchema(older as avro.Schema, { registry: {} }));
      this.resolvers.set(version, r);
    }
    return r;
  }
}

export class Changelog {
  constructor(
    readonly topic: string,
    private readonly codec: StateCodec,
    private readonly backbone: Pick<Backbone, 'readPartition'>,
    private readonly producer: Producer,
  ) {}

  /** Sends the changes and resolves once every one is acknowledged. */
  async write(changes: Array<StateChange<unknown>>): Promise<void> {
    await this.producer.sendAll(
      changes.map((c) => ({
        topic: this.topic,
        partition: c.partition,
        key: c.key,
        value: c.value === null ? null : this.codec.encode(c.value),
        headers: { [HEADER_SCHEMA]: this.codec.header },
      })),
    );
  }

  /** The state of one partition as its changelog holds it: the latest value of every key not deleted. */
  async restore(partition: number): Promise<Map<string, unknown>> {
    return (await this.catchUp(partition, { state: new Map(), next: 0 })).state;
  }

  /**
   * Applies what the partition holds from `from.next` on to `from.state` (a copy): a warm standby reads the
   * partition once ahead of the switch, then only what was written since. Returns the state and the next offset.
   */
  async catchUp(partition: number, from: WarmPartition): Promise<WarmPartition> {
    const state = new Map(from.state);
    let next = from.next;
    for (const r of await this.backbone.readPartition(this.topic, partition, from.next)) {
      next = Math.max(next, r.offset + 1);
      if (r.value === null) {
        state.delete(r.key);
        continue;
      }
      try {
        state.set(r.key, this.codec.decode(r.value, r.headers[HEADER_SCHEMA]));
      } catch (e) {
        throw new TierflowError(
          'STATE_UNREADABLE',
          `changelog topic ${this.topic}: the record at partition ${partition} offset ${r.offset} cannot be read as ${this.codec.operator}'s state: ` +
            `${(e as Error).message}; nothing was consumed or committed (delete the topic to start ${this.codec.operator} empty, or run the version that wrote it)`,
          { cause: e, exitCode: 2 },
        );
      }
    }
    return { state, next };
  }
}

/** A partition's state as read up to (not including) offset `next`. */
export interface WarmPartition {
  state: Map<string, unknown>;
  next: number;
}
