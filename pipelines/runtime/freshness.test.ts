import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyOperatorDefinition } from '../operator.js';
import { dropStale, FreshFrameQueue, FreshnessGate, latencyBoundMs, recordedSources } from './freshness.js';

const frame = (camera: string, seq: number, captureTs = 0) => ({ camera, epoch: 'e0', seq, captureTs });

test('dropStale keeps frames inside the bound and drops older ones', () => {
  const { fresh, stale } = dropStale([frame('a', 0, 100), frame('a', 1, 900), frame('b', 0, 500)], 1000, (c) => (c === 'a' ? 300 : 600));
  assert.deepEqual(fresh.map((f) => `${f.camera}${f.seq}`), ['a1', 'b0']);
  assert.deepEqual(stale.map((f) => `${f.camera}${f.seq}`), ['a0']);
});

test('priority scales the bound', () => {
  assert.equal(latencyBoundMs(2000, 'low'), 1000);
  assert.equal(latencyBoundMs(2000, 'high'), 3000);
});

test('the queue evicts the oldest frame of a full camera and serves cameras round-robin', async () => {
  const dropped: number[] = [];
  const q = new FreshFrameQueue<ReturnType<typeof frame>>(2, (f) => dropped.push(f.seq));
  for (let i = 0; i < 4; i++) q.push(frame('a', i));
  q.push(frame('b', 0));
  assert.deepEqual(dropped, [0, 1]);
  const batch = await q.take(2);
  assert.deepEqual(batch.map((f) => `${f.camera}${f.seq}`), ['a2', 'b0']);
  const waiting = q.take(5);
  q.close();
  assert.deepEqual((await waiting).map((f) => f.seq), [3]);
  assert.deepEqual(await q.take(5), []);
});

test('recorded sources wait for room instead of losing frames', async () => {
  const dropped: number[] = [];
  const q = new FreshFrameQueue<ReturnType<typeof frame>>(1, (f) => dropped.push(f.seq));
  await q.pushWhenRoom(frame('file', 0));
  let second = false;
  const pending = q.pushWhenRoom(frame('file', 1)).then(() => (second = true));
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(second, false);
  assert.deepEqual((await q.take(1)).map((f) => f.seq), [0]);
  await pending;
  assert.deepEqual((await q.take(1)).map((f) => f.seq), [1]);
  assert.deepEqual(dropped, []);
});

test('sources their source operator calls recorded are exempt from dropping; those of an operator that says nothing are live', () => {
  const source = (name: string, url: string) => ({ name, url, node: 'n', fps: 5, resolution: '640x360', transport: 'tcp' as const, maxLatencyMs: 2000, loop: false });
  const plan = {
    sources: [source('clip', 'file:/v/clip.mp4'), source('live', 'rtsp://cam/1'), source('still', 'file:/p/photo.jpg'), source('paced', 'file:/v/paced.mp4')],
    placements: [
      { operator: 'decode', uses: 'decode@1', node: 'n', tier: 'edge', replicas: 1, reason: '', sources: ['clip', 'live', 'still'] },
      { operator: 'paced', uses: 'decode@1', node: 'n', tier: 'edge', replicas: 1, reason: '', sources: ['paced'] },
      { operator: 'other', uses: 'other@1', node: 'n', tier: 'edge', replicas: 1, reason: '', sources: ['clip'] },
    ],
    configs: { decode: { realtime: false }, paced: { realtime: true } },
  };
  const asked: string[] = [];
  const video = { recorded: (url: string, c: { realtime?: boolean }) => (asked.push(url), url.endsWith('.mp4') && !c.realtime) };
  const operators = (uses: string) => (uses === 'decode@1' ? video : {}) as unknown as AnyOperatorDefinition;
  assert.deepEqual([...recordedSources(plan, operators)], ['clip']);
  assert.deepEqual(asked, ['file:/v/clip.mp4', 'rtsp://cam/1', 'file:/p/photo.jpg', 'file:/v/paced.mp4'], 'each source asked once, with its own flow\'s config');
});

test('the gate keeps headroom for the slowest recent wave after it and a share of the bound for delivery', () => {
  const gate = new FreshnessGate(() => 3000, 4);
  assert.equal(gate.headroomMs(3000), 600);
  // Before any wave went through, only the delivery share is kept: 2350 ms old is in, 2450 ms is out.
  assert.deepEqual(gate.admit([frame('a', 0, 0), frame('a', 1, 100)], 2450).fresh.map((f) => f.seq), [1]);
  for (const ms of [400, 700, 500, 450]) gate.observe(ms);
  assert.equal(gate.headroomMs(3000), 1300);
  const { fresh, stale } = gate.admit([frame('a', 2, 0), frame('a', 3, 1310)], 3000);
  assert.deepEqual([fresh.map((f) => f.seq), stale.map((f) => f.seq)], [[3], [2]]);
  // The slow wave leaves the window once four faster ones went through.
  for (const ms of [300, 300, 300, 300]) gate.observe(ms);
  assert.equal(gate.headroomMs(3000), 900);
});

test('the gate never keeps more than half the bound, so slow spells cannot starve the chain', () => {
  const gate = new FreshnessGate(() => 1000);
  for (let i = 0; i < 10; i++) gate.observe(5000);
  assert.equal(gate.headroomMs(1000), 500);
  assert.deepEqual(gate.admit([frame('a', 0, 0), frame('a', 1, 600)], 1000).fresh.map((f) => f.seq), [1]);
});

test('recorded sources (an infinite bound) are never held back', () => {
  const gate = new FreshnessGate(() => Infinity);
  gate.observe(5000);
  assert.equal(gate.admit([frame('a', 0, 0)], 1e12).fresh.length, 1);
});
