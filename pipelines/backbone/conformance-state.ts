// The state cases of the conformance suite: what the engine's changelog-backed state relies on, checked on every
// backbone through the contract alone. A member counts records per key into a store per assigned partition,
// restores a partition from the compacted changelog on assignment (before its first record), and checkpoints as
// the runtime does: changelog written and acknowledged, then offsets committed. Handovers lose and repeat nothing.
import assert from 'node:assert/strict';
import type { Backbone, ConsumedRecord, TopicSpec } from './contract.js';
import { TierflowError } from '../errors.js';
import { record, sleep, stop, text, waitFor, type Recorder } from './conformance-support.js';

export type StateCase = 'state-restore-after-leave' | 'state-rebalance' | 'state-restart' | 'state-compacted-topic' | 'state-revoke-drain';

interface Counter {
  rec: Recorder;
  counts: Map<number, Map<string, number>>;
  handled: number;
}

/** A member of `group` counting `input` per key, its state in `changelog`. */
async function counter(b: Backbone, input: string, changelog: string, group: string): Promise<Counter> {
  const counts = new Map<number, Map<string, number>>();
  const restoring = new Map<number, Promise<void>>();
  const producer = await b.producer();
  const c: Counter = { rec: null as never, counts, handled: 0 };
  c.rec = await record(
    b,
    {
      groupId: group,
      topics: [input],
      fromBeginning: true,
      maxBatch: 10,
      onAssign: (parts) => {
        for (const { partition } of parts) {
          restoring.set(partition, (async () => {
            const state = new Map<string, number>();
            for (const r of await b.readPartition(changelog, partition)) {
              if (r.value === null) state.delete(r.key);
              else state.set(r.key, Number(text(r.value)));
            }
            counts.set(partition, state);
          })());
        }
      },
      onRevoke: (parts) => parts.forEach((p) => counts.delete(p.partition)),
    },
    async (batch: ConsumedRecord[], consumer) => {
      const changed = new Map<string, { partition: number; key: string; n: number }>();
      for (const r of batch) {
        await restoring.get(r.partition);
        const state = counts.get(r.partition)!;
        const n = (state.get(r.key) ?? 0) + 1;
        state.set(r.key, n);
        changed.set(`${r.partition}/${r.key}`, { partition: r.partition, key: r.key, n });
      }
      await Promise.all([...changed.values()].map((x) => producer.send({ topic: changelog, partition: x.partition, key: x.key, value: Buffer.from(String(x.n)) })));
      await consumer.commit(batch);
      c.handled += batch.length;
    },
  );
  return c;
}

/** Every key's count as the changelog holds it (latest record per key wins, tombstones delete). */
async function changelogCounts(b: Backbone, changelog: string, partitions: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let p = 0; p < partitions; p++) {
    for (const r of await b.readPartition(changelog, p)) {
      if (r.value === null) delete out[r.key];
      else out[r.key] = Number(text(r.value));
    }
  }
  return out;
}

export function stateCases(
  open: () => Promise<Backbone>,
  topic: (what: string, partitions: number, extra?: Partial<TopicSpec>) => TopicSpec,
  group: (what: string) => string,
  reopen: (b: Backbone) => Promise<Backbone>,
): Record<StateCase, () => Promise<void>> {
  const KEYS = 8;
  const setup = async (what: string) => {
    const b = await open();
    const input = topic(`${what}-in`, 4);
    const changelog = topic(`${what}-changelog`, 4, { compacted: true });
    await b.provision([input, changelog]);
    const p = await b.producer();
    const produce = (from: number, to: number) =>
      Promise.all(Array.from({ length: to - from }, (_, i) => p.send({ topic: input.name, key: `key-${(from + i) % KEYS}`, value: Buffer.from(String(from + i)) })));
    return { b, input: input.name, changelog: changelog.name, produce, g: group(what) };
  };
  const expected = (n: number) => Object.fromEntries(Array.from({ length: KEYS }, (_, k) => [`key-${k}`, n / KEYS]));

  return {
    'state-restore-after-leave': async () => {
      const { b, input, changelog, produce, g } = await setup('st-leave');
      await produce(0, 160);
      const a = await counter(b, input, changelog, g);
      await waitFor(() => a.handled >= 160, 'member A to count 160');
      const c = await counter(b, input, changelog, g);
      await stop(a.rec); // A leaves: every partition moves to C, which restores them from the changelog
      await produce(160, 320);
      await waitFor(() => c.handled >= 160, 'member C to count what came after');
      await stop(c.rec);
      assert.deepEqual(await changelogCounts(b, changelog, 4), expected(320), 'every record counted once across the handover');
    },

    'state-rebalance': async () => {
      const { b, input, changelog, produce, g } = await setup('st-rebalance');
      await produce(0, 200);
      const a = await counter(b, input, changelog, g);
      await waitFor(() => a.handled >= 40, 'member A to start');
      const c = await counter(b, input, changelog, g);
      await waitFor(() => c.rec.assigned > 0, 'member C to get partitions');
      await produce(200, 400);
      await waitFor(() => a.handled + c.handled >= 400, 'both members to count everything');
      assert.ok(a.handled > 0 && c.handled > 0, 'both members counted');
      await stop(a.rec);
      await produce(400, 480);
      await waitFor(() => c.handled + a.handled >= 480, 'C to count the rest after A left');
      await stop(c.rec);
      assert.deepEqual(await changelogCounts(b, changelog, 4), expected(480), 'counts exact through two rebalances');
    },

    'state-restart': async () => {
      const { b, input, changelog, produce, g } = await setup('st-restart');
      await produce(0, 80);
      const a = await counter(b, input, changelog, g);
      await waitFor(() => a.handled >= 80, 'the first run to count 80');
      await stop(a.rec);
      // A tombstone deletes a key: a restore must not bring it back.
      const p = await b.producer();
      const owner = await Promise.all([0, 1, 2, 3].map(async (x) => ((await b.readPartition(changelog, x)).some((r) => r.key === 'key-0') ? x : -1)));
      const k0 = owner.find((x) => x >= 0);
      assert.ok(k0 !== undefined, 'k0 is in the changelog');
      await p.send({ topic: changelog, partition: k0, key: 'key-0', value: null });
      // A new process: a new backbone client (same broker, or the same embedded store), a new member, same group.
      const b2 = await reopen(b);
      await produce(80, 160);
      const c = await counter(b2, input, changelog, g);
      await waitFor(() => c.handled >= 80, 'the restarted member to count the next 80');
      await stop(c.rec);
      const want = expected(160);
      want['key-0'] = 10; // deleted after 10, then counted 10 more
      assert.deepEqual(await changelogCounts(b2, changelog, 4), want, 'restored from the changelog, tombstone honoured');
    },

    'state-revoke-drain': async () => {
      // A member that finishes its work on revocation: it commits nothing while it runs, only when its partitions are
      // taken away, and takes its time (the chain drains its waves). The group waits for it, and the commit counts.
      const { b, input, produce, g } = await setup('st-drain');
      await produce(0, 40);
      let hookCommitted = false;
      let a: Recorder | null = null;
      a = await record(
        b,
        {
          groupId: g,
          topics: [input],
          fromBeginning: true,
          onRevoke: async () => {
            if (!a || hookCommitted) return;
            await sleep(500);
            await a.consumer.commit(a.records);
            hookCommitted = true;
          },
        },
        async () => {},
      );
      await waitFor(() => a!.records.length >= 40, 'member A to read 40');
      const c = await record(b, { groupId: g, topics: [input], fromBeginning: true });
      await waitFor(() => c.assigned > 0, 'member C to get partitions');
      await produce(40, 60);
      await waitFor(() => new Set([...a!.records, ...c.records].map((r) => text(r.value))).size >= 60, 'the records after the rebalance');
      await stop(c);
      await stop(a);
      assert.ok(hookCommitted, 'the revocation hook ran');
      assert.deepEqual(c.records.filter((r) => Number(text(r.value)) < 40).map((r) => text(r.value)), [], 'nothing A read was read again: its commit on revocation held');
    },

    'state-compacted-topic': async () => {
      const b = await open();
      const plain = topic('st-plain', 2);
      await b.provision([plain]);
      await assert.rejects(b.provision([{ ...plain, compacted: true }]), (e) => e instanceof TierflowError && e.code === 'TOPIC_INCOMPATIBLE' && e.message.includes(plain.name) && /compact/.test(e.message));
      const cl = topic('st-compacted', 2, { compacted: true });
      await b.provision([cl]);
      await b.provision([cl]);
      await assert.rejects(b.provision([{ ...cl, partitions: 3 }]), (e) => e instanceof TierflowError && e.code === 'TOPIC_INCOMPATIBLE' && /2 partitions/.test(e.message));
      const p = await b.producer();
      for (let i = 0; i < 5; i++) await p.send({ topic: cl.name, partition: 1, key: 'x', value: Buffer.from(String(i)) });
      await p.send({ topic: cl.name, partition: 1, key: 'gone', value: Buffer.from('1') });
      await p.send({ topic: cl.name, partition: 1, key: 'gone', value: null });
      await p.send({ topic: cl.name, partition: 1, key: 'w\u0000cam\u0000ada', value: Buffer.from('nul') });
      const read = await b.readPartition(cl.name, 1);
      const latest = new Map<string, string | null>();
      for (const r of read) latest.set(r.key, r.value === null ? null : text(r.value));
      assert.equal(latest.get('x'), '4', 'the latest value of a key wins');
      assert.ok(!latest.get('gone'), 'a tombstoned key reads as deleted');
      assert.equal(latest.get('w\u0000cam\u0000ada'), 'nul', 'a key with NUL characters comes back whole');
      assert.deepEqual(read.map((r) => r.offset), [...read.map((r) => r.offset)].sort((x, y) => x - y), 'in offset order');
      assert.deepEqual(await b.readPartition(cl.name, 0), [], 'an empty partition reads empty');
    },
  };
}
