import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reception, receiving, Reachability, RejoinWatch } from './reachability.js';

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
  assert.equal(r.observe(true, 1_000), null);
  assert.equal(r.observe(false, 2_000), 'down', 'an outage starts');
  assert.equal(r.observe(false, 3_000), null);
  assert.equal(r.unreachableMs(4_500), 2_500, 'in progress since 2 s');
  assert.equal(r.observe(true, 5_000), 3_000, 'it ends, 3 s long');
  assert.equal(r.unreachableMs(9_000), 3_000);
  r.observe(false, 10_000);
  r.observe(true, 10_400);
  assert.equal(r.unreachableMs(20_000), 3_400);
});

test('reception says what blocks a consumer: no broker, or its group not steady with the broker up', () => {
  assert.deepEqual(reception(stats({ '127.0.0.1:29093/1': { nodeid: 1, state: 'TRY_CONNECT' } })).blocked, 'broker');
  const r = reception(stats(up, { state: 'up', join_state: 'wait-unassign-call' }));
  assert.equal(r.blocked, 'group');
  assert.match(r.why, /join state wait-unassign-call/);
  assert.equal(reception(stats(up, { state: 'up', join_state: 'steady' })).blocked, null);
});

test('a group unsteady with its broker up past the limit is reported stalled; an outage or a steady report resets the watch', () => {
  const w = new RejoinWatch(30_000);
  assert.equal(w.observe('broker', 0), null, 'no broker: an outage, not a stall');
  assert.equal(w.observe('group', 1_000), null);
  assert.equal(w.observe('group', 30_000), null, '29 s: a slow rejoin still');
  assert.equal(w.observe('group', 31_500), 30_500);
  assert.equal(w.observe(null, 32_000), null, 'steady again');
  assert.equal(w.observe('group', 40_000), null, 'the count starts over');
  assert.equal(w.observe('broker', 60_000), null);
  assert.equal(w.observe('group', 80_000), null, 'the broker lost in between starts it over too');
});
