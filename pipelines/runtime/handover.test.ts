import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Handover } from './handover.js';

function target() {
  const calls: string[] = [];
  const waiting: Array<() => void> = [];
  return {
    calls,
    settleNow: () => {
      calls.push('settled');
      for (const r of waiting.splice(0)) r();
    },
    t: {
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
      settle: () => new Promise<void>((r) => waiting.push(r)),
      log: (m: string) => calls.push(`log ${m}`),
    },
  };
}

test('a held replica pauses, settles, and fetches again only once a rebalance has revoked and reassigned it', async () => {
  const { calls, settleNow, t } = target();
  const h = new Handover(t);
  const held = h.hold(60_000);
  settleNow();
  await held;
  assert.deepEqual(calls, ['pause', 'settled']);
  h.assigned(); // an assignment before any revocation is not the rebalance the hold waits for
  assert.equal(h.isHeld(), true);
  h.revoked();
  assert.equal(h.isHeld(), true);
  h.assigned();
  assert.equal(h.isHeld(), false);
  assert.deepEqual(calls, ['pause', 'settled', 'resume', 'log handover: fetching again (the group rebalanced)']);
  h.release('again'); // once only
  assert.equal(calls.filter((c) => c === 'resume').length, 1);
});

test('a hold no rebalance follows lets go after its limit; held twice, it pauses once', async () => {
  const { calls, settleNow, t } = target();
  const h = new Handover(t);
  const a = h.hold(50);
  const b = h.hold(50);
  settleNow();
  await Promise.all([a, b]);
  assert.equal(calls.filter((c) => c === 'pause').length, 1);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(h.isHeld(), false);
  assert.ok(calls.includes('log handover: fetching again (no rebalance within 0.05 s)'), calls.join('; '));
});
