import { test } from 'node:test';
import assert from 'node:assert/strict';
import { receiving, Reachability } from './consumer.js';

const stats = (brokers: Record<string, { nodeid: number; state: string }>, cgrp?: { state: string; join_state: string }) => JSON.stringify({ brokers, ...(cgrp ? { cgrp } : {}) });
const up = { '127.0.0.1:29093/1': { nodeid: 1, state: 'UP' } };

test('a consumer receives when a real node (not the bootstrap entry) is UP and its group is steady', () => {
  assert.equal(receiving(stats({ '127.0.0.1:29093/bootstrap': { nodeid: -1, state: 'UP' } })), false);
  assert.equal(receiving(stats({ '127.0.0.1:29093/1': { nodeid: 1, state: 'TRY_CONNECT' } })), false);
  assert.equal(receiving(stats({ ...up, GroupCoordinator: { nodeid: -1, state: 'DOWN' } })), true, 'no group: the broker is enough');
  assert.equal(receiving(stats(up, { state: 'up', join_state: 'steady' })), true);
  assert.equal(receiving(stats(up, { state: 'up', join_state: 'wait-join' })), false, 'rejoining after a broker restart: nothing flows');
  assert.equal(receiving(stats(up, { state: 'wait-coord', join_state: 'init' })), false);
  assert.equal(receiving('not json'), true, 'unreadable statistics do not invent an outage');
});

test('time without a broker adds up across outages and counts the one in progress', () => {
  const r = new Reachability();
  r.observe(true, 1_000);
  r.observe(false, 2_000);
  r.observe(false, 3_000);
  assert.equal(r.unreachableMs(4_500), 2_500, 'in progress since 2 s');
  r.observe(true, 5_000);
  assert.equal(r.unreachableMs(9_000), 3_000);
  r.observe(false, 10_000);
  r.observe(true, 10_400);
  assert.equal(r.unreachableMs(20_000), 3_400);
});
