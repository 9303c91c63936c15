// A followed table is read whole before the operator starts, then follows changes (new keys, replaced values,
// tombstones) within about one poll, and keeps what it had while its broker cannot be read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEmbeddedBackbone } from '../backbone/embedded/index.js';
import { TableFollower } from './table.js';
import type { Backbone } from '../backbone/contract.js';

const text = (v: Uint8Array | undefined) => (v === undefined ? undefined : Buffer.from(v).toString());
const settle = async (check: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return check();
};

void test('a table is whole at start, then follows puts, replacements and tombstones', async () => {
  const backbone = createEmbeddedBackbone();
  await backbone.provision([{ name: 'tbl', partitions: 1, compacted: true }]);
  const producer = await backbone.producer();
  const put = (key: string, value: string | null) => producer.send({ topic: 'tbl', key, value: value === null ? null : Buffer.from(value) });
  await put('ada', 'a1');
  await put('bob', 'b1');
  const t = new TableFollower('tbl', backbone, () => {}, 20);
  try {
    await t.start();
    assert.deepEqual([...t.entries().keys()].sort(), ['ada', 'bob']);
    const v0 = t.version;
    await put('ada', 'a2');
    await put('bob', null);
    await put('cy', 'c1');
    assert.ok(await settle(() => t.entries().size === 2 && text(t.entries().get('ada')) === 'a2'), 'changes applied');
    assert.equal(t.entries().has('bob'), false);
    assert.equal(text(t.entries().get('cy')), 'c1');
    assert.ok(t.version > v0);
    const v1 = t.version;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(t.version, v1, 'no change, no new version');
  } finally {
    await t.stop();
    await backbone.close();
  }
});

void test('a table that cannot be read keeps its keys and says so once, and catches up when it can', async () => {
  const backbone = createEmbeddedBackbone();
  await backbone.provision([{ name: 'tbl', partitions: 1, compacted: true }]);
  const producer = await backbone.producer();
  await producer.send({ topic: 'tbl', key: 'ada', value: Buffer.from('a1') });
  let down = false;
  const flaky: Pick<Backbone, 'readPartition'> = { readPartition: (...a) => (down ? Promise.reject(new Error('broker gone')) : backbone.readPartition(...a)) };
  const logs: string[] = [];
  const t = new TableFollower('tbl', flaky, (m) => logs.push(m), 20);
  try {
    await t.start();
    down = true;
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(t.entries().size, 1);
    assert.equal(logs.filter((l) => /cannot read, keeping 1 keys: broker gone/.test(l)).length, 1);
    await producer.send({ topic: 'tbl', key: 'bob', value: Buffer.from('b1') });
    down = false;
    assert.ok(await settle(() => t.entries().size === 2));
    assert.ok(logs.some((l) => /reading again/.test(l)));
  } finally {
    await t.stop();
    await backbone.close();
  }
});

void test('a table that cannot be read at start fails the start', async () => {
  const t = new TableFollower('tbl', { readPartition: () => Promise.reject(new Error('no broker')) }, () => {}, 20);
  await assert.rejects(t.start(), /no broker/);
});
