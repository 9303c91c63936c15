// The dashboard server on loopback, in-process: picture routes exist only where the policy allows, enrol needs
// the token and refuses bad input with a clear status, and a dashboard aggregates other sites (one down).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import sharp from '../../operators/media/sharp.js';
import { LiveView } from '../../operators/vision/live-feed.js';
import type { EnrolTarget } from '../../operators/vision/dashboard-enrol.js';
import { serveDashboard, type DashboardOptions } from './server.js';
import type { LiveStatus } from './status.js';
import { TierflowError } from '../errors.js';

const graph = { tiers: ['device', 'edge', 'cloud'], nodes: [], operators: [], sources: [{ name: 'cam-1', node: 'n' }], edges: [] };
const status = async (): Promise<LiveStatus> => ({ at: Date.now(), nodes: [{ name: 'n', up: true }], operators: [{ operator: 'decode', fps: 5, recordsIn: 1, recordsOut: 1, dropped: 0, lag: 0 }], sources: [{ source: 'cam-1', state: 'connected', since: 1 }] });
const vector = (i: number) => Array.from({ length: 128 }, (_, k) => (k === i ? 1 : 0));

async function liveWithFrameAndCluster(enrolInto?: EnrolTarget): Promise<LiveView> {
  const live = new LiveView(enrolInto);
  const jpeg = await sharp({ create: { width: 64, height: 36, channels: 3, background: '#446' } }).jpeg().toBuffer();
  live.ingest('decode', 'frames', [{ camera: 'cam-1', seq: 0, captureTs: 1, width: 64, height: 36, format: 'jpeg', data: jpeg }]);
  live.ingest('detect', 'faces', [{ camera: 'cam-1', seq: 0, captureTs: 1, width: 64, height: 36, faces: [{ index: 0, box: [1, 1, 8, 8], score: 0.9, cropBox: [0, 0, 16, 16], crop: jpeg }] }]);
  live.ingest('embed', 'embeddings', [{ camera: 'cam-1', seq: 0, captureTs: 1, faces: [{ index: 0, box: [1, 1, 8, 8], score: 0.9, landmarks: [], embedding: vector(3) }] }]);
  live.ingest('match', 'matches', [{ camera: 'cam-1', seq: 0, captureTs: 1, faces: [{ index: 0, box: [1, 1, 8, 8], score: 0.9, identity: null, distance: 1.4, clusterId: 'p0-u7' }] }]);
  return live;
}

async function withDashboard<T>(opts: Partial<DashboardOptions>, body: (url: string) => Promise<T>): Promise<T> {
  const server = await serveDashboard({ title: 't', topology: 't', graph, status, pictures: { snapshots: true, thumbnails: true }, ...opts });
  try {
    return await body(server.url);
  } finally {
    await server.close();
  }
}

void test('a dashboard above the frame tier has no snapshot or thumbnail route; one within it serves JPEGs', async () => {
  const live = await liveWithFrameAndCluster();
  await withDashboard({ live, pictures: { snapshots: false, thumbnails: false } }, async (url) => {
    const snap = await fetch(`${url}api/cameras/cam-1/snapshot.jpg`);
    assert.equal(snap.status, 404);
    assert.deepEqual(await snap.json(), { error: 'not found' }, 'the route does not exist (not a refusal that knows the camera)');
    assert.equal((await fetch(`${url}api/thumbs/${encodeURIComponent('cam-1|unknown:p0-u7')}.jpg`)).status, 404);
    const state = (await (await fetch(`${url}api/state`)).json()) as { pictures: unknown };
    assert.deepEqual(state.pictures, { snapshots: false, thumbnails: false });
  });
  await withDashboard({ live }, async (url) => {
    const snap = await fetch(`${url}api/cameras/cam-1/snapshot.jpg`);
    assert.equal(snap.status, 200);
    assert.equal(snap.headers.get('content-type'), 'image/jpeg');
    const meta = await sharp(Buffer.from(await snap.arrayBuffer())).metadata();
    assert.deepEqual([meta.width, meta.height], [64, 36]);
    const thumb = await fetch(`${url}api/thumbs/${encodeURIComponent('cam-1|unknown:p0-u7')}.jpg`);
    assert.equal(thumb.status, 200);
  });
});

void test('enrol: token required; unknown cluster, bad name, non-image and oversized uploads refused clearly; a good one lands in the gallery', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dash-enrol-'));
  try {
    const galleryFile = join(dir, 'gallery.json');
    const live = await liveWithFrameAndCluster({ galleryFile, modelSha256: 'a'.repeat(64) });
    const token = 'a-token-of-enough-length';
    await withDashboard({ live, token }, async (url) => {
      const post = (path: string, init: RequestInit = {}, withToken = true) =>
        fetch(`${url}${path}`, { method: 'POST', ...init, headers: { ...(withToken ? { 'x-tierflow-token': token } : {}), ...(init.headers as Record<string, string>) } });
      const enrol = (cluster: string, name: string) => `api/clusters/${encodeURIComponent(cluster)}/enrol?name=${encodeURIComponent(name)}`;
      assert.equal((await post(enrol('p0-u7', 'Dana'), {}, false)).status, 401);
      assert.equal((await post(enrol('p0-u7', 'Dana'), { headers: { 'x-tierflow-token': 'wrong-token-of-enough-len' } }, false)).status, 401);
      const unknown = await post(enrol('nope', 'Dana'));
      assert.equal(unknown.status, 404);
      assert.match(((await unknown.json()) as { error: string }).error, /no unknown face with cluster id 'nope'/);
      assert.equal((await post(enrol('p0-u7', '<script>'))).status, 400);
      const text = await post(enrol('p0-u7', 'Dana'), { body: 'hello', headers: { 'content-type': 'text/plain' } });
      assert.equal(text.status, 415);
      assert.match(((await text.json()) as { error: string }).error, /expected a JPEG, PNG or WebP photo/);
      const fake = await post(enrol('p0-u7', 'Dana'), { body: 'not really a jpeg', headers: { 'content-type': 'image/jpeg' } });
      assert.equal(fake.status, 415);
      assert.match(((await fake.json()) as { error: string }).error, /not a readable image/);
      const big = await post(enrol('p0-u7', 'Dana'), { body: Buffer.alloc(5 << 20, 1), headers: { 'content-type': 'image/jpeg' } }).catch((e: unknown) => e);
      if (big instanceof Response) assert.equal(big.status, 413);
      else assert.fail(`an oversized upload must get 413, got ${String(big)}`);
      assert.equal((await fetch(`${url}${enrol('p0-u7', 'Dana')}`)).status, 405, 'GET cannot change state');
      const ok = await post(enrol('p0-u7', 'Dana'));
      assert.equal(ok.status, 200, await ok.clone().text());
      const gallery = JSON.parse(await readFile(galleryFile, 'utf8')) as { identities: Array<{ name: string; embeddings: number[][] }> };
      assert.deepEqual(gallery.identities.map((i) => [i.name, i.embeddings.length]), [['Dana', 1]]);
      assert.equal(gallery.identities[0]!.embeddings[0]![3], 1, 'the cluster\'s captured embedding is what is enrolled');
      assert.equal(live.unknownClusters()[0]!.named, 'Dana');
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('beyond loopback a dashboard needs a token; a loopback one answers only to loopback host names', async () => {
  await assert.rejects(serveDashboard({ title: 't', topology: 't', graph, status, pictures: { snapshots: false, thumbnails: false }, host: '0.0.0.0' }), (e: unknown) => e instanceof TierflowError && /needs --token/.test(e.message));
  await withDashboard({}, async (url) => {
    // fetch may not set Host; node:http may.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}api/state`, { headers: { host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 421);
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /name="tierflow-token"/, 'a loopback page carries its per-process token');
  });
});

void test('sites: one dashboard shows another site up (its summary) and an unreachable one down', async () => {
  await withDashboard({}, async (siteA) => {
    await withDashboard({ sites: [{ name: 'site-a', url: siteA }, { name: 'site-b', url: 'http://127.0.0.1:9/' }] }, async (url) => {
      const state = (await (await fetch(`${url}api/state`)).json()) as { sites: Array<{ name: string; up: boolean; cameras?: { connected: number }; error?: string }> };
      const a = state.sites.find((s) => s.name === 'site-a')!;
      const b = state.sites.find((s) => s.name === 'site-b')!;
      assert.equal(a.up, true);
      assert.equal(a.cameras?.connected, 1);
      assert.equal(b.up, false);
      assert.match(b.error ?? '', /127\.0\.0\.1:9/);
    });
  });
});
