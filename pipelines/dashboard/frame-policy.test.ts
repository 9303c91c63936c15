import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameHostTier, picturePolicy } from './frame-policy.js';

const tiers = ['device', 'edge', 'fog', 'cloud'];
const limits = { frame: { tierIndex: 1 }, crop: { tierIndex: 1 }, embedding: { tierIndex: 2 }, event: { tierIndex: 3 } };

void test('pictures are served only on tiers their policy reaches', () => {
  assert.deepEqual(picturePolicy(tiers, limits, 'edge'), { snapshots: true, thumbnails: true });
  assert.deepEqual(picturePolicy(tiers, limits, 'device'), { snapshots: true, thumbnails: true });
  assert.deepEqual(picturePolicy(tiers, limits, 'fog'), { snapshots: false, thumbnails: false });
  assert.deepEqual(picturePolicy(tiers, limits, 'cloud'), { snapshots: false, thumbnails: false });
  assert.deepEqual(picturePolicy(tiers, { ...limits, crop: { tierIndex: 0 } }, 'edge'), { snapshots: true, thumbnails: false });
  assert.deepEqual(picturePolicy(tiers, limits, 'moon'), { snapshots: false, thumbnails: false }, 'an unknown tier serves nothing');
});

void test('a run process counts as the outermost tier where frames are handled', () => {
  assert.equal(frameHostTier(tiers, ['device', 'edge']), 'edge');
  assert.equal(frameHostTier(tiers, []), 'cloud');
});
