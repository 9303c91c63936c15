import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatcher, memoryClusterStore } from './matcher.js';
import { createGallery } from '../vision/gallery.js';

// Unit vectors along axes are sqrt(2) apart; mixing in a little of another axis moves a point slightly.
function vec(axis: number, nudgeAxis = -1, nudge = 0): number[] {
  const v = Array.from({ length: 128 }, (_, k) => (k === axis ? 1 : k === nudgeAxis ? nudge : 0));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

const gallery = createGallery('0'.repeat(64), [
  { name: 'ada', embeddings: [vec(0), vec(1)] },
  { name: 'bob', embeddings: [vec(2)] },
]);

void test('the nearest of several embeddings per identity decides', () => {
  const m = createMatcher(gallery, { threshold: 0.55, clusterUnknown: false });
  const r = m.match(vec(1, 5, 0.2));
  assert.equal(r.identity, 'ada');
  assert.ok(r.distance < 0.25);
  assert.equal(r.clusterId, null);
  assert.equal(m.match(vec(2, 7, 0.1)).identity, 'bob');
});

void test('beyond the threshold a face is unknown and keeps its distance', () => {
  const m = createMatcher(gallery, { threshold: 0.55, clusterUnknown: false });
  const r = m.match(vec(9));
  assert.equal(r.identity, null);
  assert.ok(Math.abs(r.distance - Math.SQRT2) < 1e-9);
  assert.equal(r.clusterId, null);
});

void test('unknown faces get stable cluster ids: same face same id, new face new id', () => {
  const m = createMatcher(gallery, { threshold: 0.55, clusterUnknown: true });
  const first = m.match(vec(20)).clusterId;
  const other = m.match(vec(30)).clusterId;
  assert.ok(first && other && first !== other);
  assert.equal(m.match(vec(20, 21, 0.2)).clusterId, first);
  assert.equal(m.match(vec(30, 31, 0.3)).clusterId, other);
  assert.equal(m.match(vec(0)).clusterId, null, 'a known face is not clustered');
});

void test('the least recently seen cluster is forgotten beyond maxClusters', () => {
  const m = createMatcher(gallery, { threshold: 0.55, clusterUnknown: true, maxClusters: 2 });
  const a = m.match(vec(40)).clusterId;
  const b = m.match(vec(41)).clusterId;
  assert.equal(m.match(vec(40)).clusterId, a);
  m.match(vec(42));
  assert.equal(m.match(vec(40)).clusterId, a, 'recently seen survives');
  assert.notEqual(m.match(vec(41)).clusterId, b, 'evicted leader gets a new id');
});

void test('an empty gallery reports everything unknown at the largest distance', () => {
  const m = createMatcher(createGallery('0'.repeat(64), []), { threshold: 0.55, clusterUnknown: false });
  assert.deepEqual(m.match(vec(0)), { identity: null, distance: 2, clusterId: null });
});

void test('two replicas mint different ids for different people, and a restored store keeps its ids', () => {
  const a = memoryClusterStore('p0');
  const b = memoryClusterStore('p1');
  const one = createMatcher(gallery, { threshold: 0.55, clusterUnknown: true }, a).match(vec(50)).clusterId;
  const two = createMatcher(gallery, { threshold: 0.55, clusterUnknown: true }, b).match(vec(60)).clusterId;
  assert.ok(one && two && one !== two, `${one} vs ${two}`);
  // What a restore from the changelog hands a new owner: the same entries under the same scope.
  const restored = Object.assign(new Map(a.entries()), { scope: 'p0' });
  const again = createMatcher(gallery, { threshold: 0.55, clusterUnknown: true }, restored);
  assert.equal(again.match(vec(50, 51, 0.1)).clusterId, one, 'the same face keeps its id after the restore');
  assert.notEqual(again.match(vec(70)).clusterId, one, 'and the counter goes on from where it was');
});
