import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStagePipeline } from './stages.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('stages keep wave order while different waves overlap across stages', async () => {
  const log: string[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const stage = (name: string, ms: number) => async (items: number[]) => {
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    await tick(ms);
    log.push(`${name}:${String(items[0])}`);
    concurrent--;
    return items;
  };
  const p = createStagePipeline([stage('a', 20), stage('b', 20)], 4);
  const waves = await Promise.all([p.admit([1]), p.admit([2]), p.admit([3])]);
  await Promise.all(waves.map((w) => w.done));
  assert.deepEqual(log.filter((l) => l.startsWith('a')), ['a:1', 'a:2', 'a:3']);
  assert.deepEqual(log.filter((l) => l.startsWith('b')), ['b:1', 'b:2', 'b:3']);
  assert.equal(maxConcurrent, 2, 'stage a of wave 2 should overlap stage b of wave 1');
});

test('admission blocks at maxInFlight and a failed wave rejects without stopping later waves', async () => {
  const p = createStagePipeline(
    [
      async (items: string[]) => {
        await tick(5);
        if (items[0] === 'bad') throw new Error('boom');
        return items;
      },
    ],
    1,
  );
  const first = await p.admit(['bad']);
  const firstRejects = assert.rejects(first.done, /boom/);
  let secondAdmitted = false;
  const secondAdmission = p.admit(['ok']).then((w) => {
    secondAdmitted = true;
    return w;
  });
  await tick(1);
  assert.equal(secondAdmitted, false);
  await firstRejects;
  const second = await secondAdmission;
  await second.done;
  assert.equal(p.inFlight(), 0);
  await p.idle();
});
