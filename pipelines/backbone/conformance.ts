// One conformance suite for every backbone: the semantics operators rely on, checked the same way on the
// embedded backbone and on a real Kafka broker. A case a backbone cannot meet is listed in `knownDifferences`
// with its reason, which is printed; nothing is skipped silently.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Backbone, TopicSpec } from './contract.js';
import { HEADER_DLQ_REASON, HEADER_DLQ_SOURCE } from './contract.js';
import type { PartitionBound } from './embedded/partition-log.js';
import { makeTraceparent, traceHeaders } from './trace.js';
import { DeadLetters, dlqSpecFor, dlqTopicFor } from './dead-letter.js';
import { codecFor } from '../streams/avro.js';
import { TierflowError } from '../errors.js';
import { record, stop, text, uniqueName, waitFor, sleep, withTopic } from './conformance-support.js';
import { stateCases, type StateCase } from './conformance-state.js';
import { deliveryCases, type DeliveryCase } from './conformance-delivery.js';
import { defineStream } from '../streams/stream.js';
import { partitionForKey } from './partitioner.js';

/** A stream of the suite's own, so the backbone is tested with no operator's records. */
const GREETINGS = defineStream<{ source: string; identity: string; at: number }>({
  name: 'greetings',
  dataClass: 'event',
  versions: [{ type: 'record', name: 'Greeting', fields: [{ name: 'source', type: 'string' }, { name: 'identity', type: 'string' }, { name: 'at', type: 'long' }] }],
  key: (g) => g.source,
  id: (g) => `${g.source}/${g.identity}/${g.at}`,
});

export type ConformanceCase =
  | DeliveryCase
  | 'group-leave-join'
  | 'headers'
  | 'large-records'
  | 'pause-resume'
  | 'resume-after-rebalance'
  | 'producer-bound'
  | 'provision'
  | 'lag'
  | 'dead-letter'
  | StateCase;

export type MakeBackbone = (opts?: { partitionBound?: PartitionBound }) => Promise<Backbone>;

/**
 * `reopen` plays a process restart: a new client of the same backbone (Kafka: a new connection to the broker; the
 * embedded backbone lives in its process, so the same instance is what a restarted chain in that process sees).
 */
export function runConformance(
  name: string,
  makeBackbone: MakeBackbone,
  knownDifferences: Partial<Record<ConformanceCase, string>> = {},
  reopen: (b: Backbone) => Promise<Backbone> = async (b) => b,
): void {
  const opened: Backbone[] = [];
  const open = async (opts?: { partitionBound?: PartitionBound }) => {
    const b = await makeBackbone(opts);
    opened.push(b);
    return b;
  };
  after(async () => {
    await Promise.all(opened.map((b) => b.close()));
  });
  const topic = (what: string, partitions: number, extra: Partial<TopicSpec> = {}): TopicSpec => ({ name: uniqueName(name, what), partitions, ...extra });
  const group = (what: string) => uniqueName(name, `g-${what}`);

  const cases: Record<ConformanceCase, () => Promise<void>> = {
    ...stateCases(() => open(), topic, group, async (b) => {
      const again = await reopen(b);
      if (again !== b) opened.push(again);
      return again;
    }),
    ...deliveryCases(() => open(), topic, group),
    'group-leave-join': async () => {
      const { b, t, p } = await withTopic(open, topic('rebalance', 4));
      const produce = (from: number, to: number) =>
        Promise.all(Array.from({ length: to - from }, (_, i) => p.send({ topic: t.name, key: `k${(from + i) % 16}`, value: Buffer.from(String(from + i)) })));
      await produce(0, 200);
      const g = group('rebalance');
      const slow = async (batch: unknown[], c: { commit: (r: never) => Promise<void> }) => {
        await sleep(5);
        await c.commit(batch as never);
      };
      const a = await record(b, { groupId: g, topics: [t.name], fromBeginning: true, maxBatch: 20 }, slow);
      await waitFor(() => a.records.length >= 40, 'member A to start consuming');
      const c = await record(b, { groupId: g, topics: [t.name], fromBeginning: true, maxBatch: 20 }, slow);
      await waitFor(() => c.assigned > 0, 'member B to get partitions');
      await produce(200, 400);
      await stop(a);
      await produce(400, 500);
      const seen = () => new Set([...a.records, ...c.records].map((r) => text(r.value)));
      await waitFor(() => seen().size >= 500, 'every record across both members');
      await stop(c);
      assert.equal(seen().size, 500, 'none missing');
      assert.ok(c.records.length > 0 && a.records.length > 0, 'both members consumed');
    },

    headers: async () => {
      const { b, t, p } = await withTopic(open, topic('headers', 2));
      const headers = { ...traceHeaders(1_763_800_000_123, makeTraceparent()), 'x-unicode': 'café ☕', empty: '' };
      await p.send({ topic: t.name, key: 'door', value: new Uint8Array([0, 1, 2, 255]), headers });
      const rec = await record(b, { groupId: group('headers'), topics: [t.name], fromBeginning: true });
      await waitFor(() => rec.records.length >= 1, 'the record');
      await stop(rec);
      const r = rec.records[0]!;
      assert.deepEqual(r.headers, headers);
      assert.equal(r.key, 'door');
      assert.deepEqual([...r.value], [0, 1, 2, 255]);
      assert.ok(r.timestamp > 0);
    },

    'large-records': async () => {
      const { b, t, p } = await withTopic(open, topic('large', 1, { maxRecordBytes: 4 << 20, compression: 'none' }));
      const sizes = [1 << 20, (1 << 20) + 1, 3 << 20];
      const values = sizes.map((n) => Buffer.alloc(n, n % 251));
      const hash = (v: Uint8Array) => createHash('sha256').update(v).digest('hex');
      for (const v of values) await p.send({ topic: t.name, key: 'big', value: v });
      const rec = await record(b, { groupId: group('large'), topics: [t.name], fromBeginning: true });
      await waitFor(() => rec.records.length >= 3, 'three large records');
      await stop(rec);
      assert.deepEqual(rec.records.map((r) => r.value.byteLength), sizes);
      assert.deepEqual(rec.records.map((r) => hash(r.value)), values.map(hash));
    },

    'pause-resume': async () => {
      const { b, t, p } = await withTopic(open, topic('pause', 1));
      await p.send({ topic: t.name, key: 'k', value: Buffer.from('first') });
      const rec = await record(b, { groupId: group('pause'), topics: [t.name], fromBeginning: true }, async (batch, c) => {
        if (batch.some((r) => text(r.value) === 'first')) c.pause(); // paused before the next fetch
        await c.commit(batch);
      });
      await waitFor(() => rec.records.length >= 1, 'the first record');
      for (let i = 0; i < 20; i++) await p.send({ topic: t.name, key: 'k', value: Buffer.from(`later-${i}`) });
      await sleep(1500); // a paused consumer gets nothing, however long we look
      assert.equal(rec.records.length, 1, 'no delivery while paused');
      rec.consumer.resume();
      await waitFor(() => rec.records.length >= 21, 'delivery after resume');
      await stop(rec);
    },

    'resume-after-rebalance': async () => {
      // A consumer paused while its group rebalances, and resumed on its new assignment (a migration's handover),
      // gets the records of the partitions it keeps: a pause does not outlive the assignment it was made in.
      const { b, t, p } = await withTopic(open, topic('pause-rebalance', 2));
      const keys = [0, 1].map((part) => Array.from({ length: 40 }, (_, i) => `k${i}`).find((k) => partitionForKey(k, 2) === part)!);
      const send = (tag: string) => p.sendAll(keys.flatMap((key) => Array.from({ length: 10 }, (_, i) => ({ topic: t.name, key, value: Buffer.from(`${tag}-${i}`) }))));
      await send('before');
      const g = group('pause-rebalance');
      let revoked = false;
      const held = await record(b, {
        groupId: g,
        topics: [t.name],
        fromBeginning: true,
        onRevoke: () => void (revoked = true),
        onAssign: () => revoked && held.consumer.resume(),
      });
      await waitFor(() => held.records.length >= 20, 'the records sent before');
      held.consumer.pause();
      const joined = await record(b, { groupId: g, topics: [t.name], fromBeginning: true });
      await waitFor(() => joined.assigned > 0 && revoked, 'a rebalance giving the newcomer a partition');
      await send('after');
      await waitFor(() => held.records.length + joined.records.length >= 40, 'the records sent after, split between the two');
      await Promise.all([stop(held), stop(joined)]);
      const after = held.records.filter((r) => text(r.value).startsWith('after'));
      assert.equal(after.length, 10, 'the paused consumer, resumed on its new assignment, reads the partition it kept');
      assert.deepEqual(joined.records.map((r) => r.partition).filter((x, i, all) => all.indexOf(x) === i).length, 1);
    },

    'producer-bound': async () => {
      const b = await open({ partitionBound: { maxRecords: 5, maxBytes: 1 << 20 } });
      const t = topic('bound', 1);
      await b.provision([t]);
      const p = await b.producer();
      const g = group('bound');
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => (release = r));
      const rec = await record(b, { groupId: g, topics: [t.name], fromBeginning: true }, async (batch, c) => {
        await gate;
        await c.commit(batch);
      });
      await waitFor(() => rec.assigned > 0, 'assignment');
      for (let i = 0; i < 5; i++) await p.send({ topic: t.name, key: 'k', value: Buffer.from(String(i)) });
      let sixthDone = false;
      const sixth = p.send({ topic: t.name, key: 'k', value: Buffer.from('5') }).then(() => (sixthDone = true));
      await sleep(300);
      assert.equal(sixthDone, false, 'a send beyond the bound waits while nothing is committed');
      release();
      await sixth;
      await waitFor(() => rec.records.length >= 6, 'all six records');
      await stop(rec);
    },

    provision: async () => {
      const b = await open();
      const t = topic('provision', 2, { retentionMs: 3_600_000, compression: 'lz4' });
      await b.provision([t]);
      await b.provision([t]);
      await assert.rejects(b.provision([{ ...t, partitions: 3 }]), (e) => e instanceof TierflowError && e.code === 'TOPIC_INCOMPATIBLE' && /2 partitions/.test(e.message));
      const p = await b.producer();
      await p.send({ topic: t.name, key: 'k', value: Buffer.from('x'), partition: 1 });
    },

    lag: async () => {
      const { b, t, p } = await withTopic(open, topic('lag', 1));
      for (let i = 0; i < 10; i++) await p.send({ topic: t.name, key: 'k', value: Buffer.from(String(i)) });
      const rec = await record(b, { groupId: group('lag'), topics: [t.name], fromBeginning: true }, async (batch, c) => {
        await c.commit(batch.filter((r) => r.offset < 4));
      });
      await waitFor(() => rec.records.length >= 10, 'ten records');
      const lag = await rec.consumer.lag();
      await stop(rec);
      assert.deepEqual(lag, [{ topic: t.name, partition: 0, committed: 4, end: 10, lag: 6 }]);
    },

    'dead-letter': async () => {
      const b = await open();
      const t = topic('dlq', 1);
      await b.provision([t, dlqSpecFor(t)]);
      const p = await b.producer();
      const events = codecFor(GREETINGS);
      const good = (identity: string) => events.encode({ source: 'c', identity, at: 1 });
      const a = good('ada');
      await p.send({ topic: t.name, key: 'c', ...a });
      await p.send({ topic: t.name, key: 'c', value: Buffer.from([0xde, 0xad]), headers: a.headers });
      await p.send({ topic: t.name, key: 'c', ...good('bob') });
      const dead = new DeadLetters(p);
      const decoded: string[] = [];
      const rec = await record(b, { groupId: group('dlq'), topics: [t.name], fromBeginning: true }, async (batch, c) => {
        for (const { value } of await dead.sift(batch, (r) => events.decode(r.value, r.headers))) decoded.push(value.identity);
        await c.commit(batch);
      });
      await waitFor(() => decoded.length >= 2, 'both good records');
      await stop(rec);
      assert.deepEqual(decoded, ['ada', 'bob']);
      const dlq = await record(b, { groupId: group('dlq-reader'), topics: [dlqTopicFor(t.name)], fromBeginning: true });
      await waitFor(() => dlq.records.length >= 1, 'the dead letter');
      await stop(dlq);
      const d = dlq.records[0]!;
      assert.match(d.headers[HEADER_DLQ_REASON] ?? '', /^RECORD_UNDECODABLE: /);
      assert.equal(d.headers[HEADER_DLQ_SOURCE], `${t.name}/0/1`);
      assert.deepEqual([...d.value], [0xde, 0xad]);
    },
  };

  for (const [id, body] of Object.entries(cases) as Array<[ConformanceCase, () => Promise<void>]>) {
    const difference = knownDifferences[id];
    test(`${name} backbone: ${id}`, { timeout: 120_000 }, async (t) => {
      if (difference) {
        t.diagnostic(`known difference on ${name}: ${difference}`);
        t.skip(`known difference: ${difference}`);
        return;
      }
      await body();
    });
  }
}
