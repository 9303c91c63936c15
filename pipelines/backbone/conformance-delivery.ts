// The delivery cases of the conformance suite: what a chain relies on when it sends and reads. Order per key,
// one call sending many records (sendAll), where a group without commits starts, and resuming from a commit.
import assert from 'node:assert/strict';
import type { Backbone, TopicSpec } from './contract.js';
import { partitionForKey } from './partitioner.js';
import { record, sleep, stop, text, waitFor, withTopic } from './conformance-support.js';

export type DeliveryCase = 'ordering-per-key' | 'resume-from-commit' | 'start-position' | 'send-all';

export function deliveryCases(
  open: () => Promise<Backbone>,
  topic: (what: string, partitions: number, extra?: Partial<TopicSpec>) => TopicSpec,
  group: (what: string) => string,
): Record<DeliveryCase, () => Promise<void>> {
  return {
    'ordering-per-key': async () => {
      const { b, t, p } = await withTopic(open, topic('order', 3));
      const keys = ['cam-a', 'cam-b', 'cam-c', 'cam-d'];
      const sends: Array<Promise<void>> = [];
      for (let i = 0; i < 100; i++) for (const key of keys) sends.push(p.send({ topic: t.name, key, value: Buffer.from(String(i)) }));
      await Promise.all(sends);
      const rec = await record(b, { groupId: group('order'), topics: [t.name], fromBeginning: true });
      await waitFor(() => rec.records.length >= 400, '400 records');
      await stop(rec);
      for (const key of keys) {
        const mine = rec.records.filter((r) => r.key === key);
        assert.deepEqual(mine.map((r) => Number(text(r.value))), [...Array(100).keys()], `order of ${key}`);
        assert.ok(mine.every((r) => r.partition === partitionForKey(key, 3)), `${key} on murmur2 partition ${partitionForKey(key, 3)}`);
      }
    },

    'resume-from-commit': async () => {
      const { b, t, p } = await withTopic(open, topic('resume', 1));
      for (let i = 0; i < 10; i++) await p.send({ topic: t.name, key: 'k', value: Buffer.from(String(i)) });
      const g = group('resume');
      const first = await record(b, { groupId: g, topics: [t.name], fromBeginning: true }, async (batch, c) => {
        await c.commit(batch.filter((r) => r.offset < 5));
      });
      await waitFor(() => first.records.length >= 10, 'first consumer to read 10');
      await stop(first);
      const second = await record(b, { groupId: g, topics: [t.name], fromBeginning: true });
      await waitFor(() => second.records.length >= 5, 'second consumer to read the rest');
      await stop(second);
      assert.deepEqual(second.records.map((r) => r.offset), [5, 6, 7, 8, 9]);
    },

    'start-position': async () => {
      // A group with nothing committed starts at the end unless it asks for the beginning (resume-from-commit: a commit wins).
      const { b, t, p } = await withTopic(open, topic('start', 2));
      const send = (from: number, to: number) => p.sendAll(Array.from({ length: to - from }, (_, i) => ({ topic: t.name, key: `k${i % 4}`, value: Buffer.from(String(from + i)) })));
      await send(0, 10);
      const latest = await record(b, { groupId: group('start-latest'), topics: [t.name] });
      const earliest = await record(b, { groupId: group('start-earliest'), topics: [t.name], fromBeginning: true });
      await waitFor(() => latest.assigned === 2 && earliest.records.length >= 10, 'both groups assigned, the earliest one reading');
      await sleep(1000); // the latest group's starting positions are resolved after assignment: give them time to be
      await send(10, 15);
      await waitFor(() => latest.records.length >= 5 && earliest.records.length >= 15, 'the later records in both groups');
      await sleep(300);
      await stop(latest);
      await stop(earliest);
      assert.deepEqual(latest.records.map((r) => Number(text(r.value))).sort((x, y) => x - y), [10, 11, 12, 13, 14], 'a group from the end reads only what came after it');
      assert.equal(earliest.records.length, 15, 'a group from the beginning reads everything once');
    },

    'send-all': async () => {
      const { b, t, p } = await withTopic(open, topic('send-all', 3));
      const keys = ['cam-a', 'cam-b', 'cam-c', 'cam-d'];
      await p.sendAll(Array.from({ length: 400 }, (_, i) => ({ topic: t.name, key: keys[i % 4]!, value: Buffer.from(String(i >> 2)) })));
      // One bad record fails the call; the records beside it are still sent.
      await assert.rejects(
        p.sendAll([
          { topic: t.name, key: 'cam-a', value: Buffer.from('100') },
          { topic: t.name, key: 'cam-a', value: Buffer.from('lost'), partition: 7 },
          { topic: t.name, key: 'cam-a', value: Buffer.from('101') },
        ]),
        (e: Error) => /partition/i.test(e.message),
      );
      await p.sendAll([]);
      const rec = await record(b, { groupId: group('send-all'), topics: [t.name], fromBeginning: true });
      await waitFor(() => rec.records.length >= 402, '402 records');
      await sleep(300);
      await stop(rec);
      assert.equal(rec.records.length, 402, 'every record of the good ones once, none of the bad one');
      for (const key of keys) {
        const mine = rec.records.filter((r) => r.key === key).map((r) => Number(text(r.value)));
        assert.deepEqual(mine, key === 'cam-a' ? [...Array(100).keys(), 100, 101] : [...Array(100).keys()], `order of ${key}`);
      }
    },
  };
}
