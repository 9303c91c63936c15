// The dashboard page at 30 cameras, in a real headless browser (Debian's chromium, driven by playwright-core),
// over a status that says what a deploy's workers say: cameras grouped by node and paged 12 at a time, a camera
// that is retrying says since when, a node whose worker does not answer is drawn down, and the figures on each
// operator box are that placement's own (a deploy's workers report per node). Stop 31 added it: the demo's browser
// test shows three cameras on one page and never looked at any of this.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { serveDashboard } from '../../pipelines/dashboard/server.js';
import type { FlowGraph } from '../../pipelines/dashboard/graph.js';
import type { LiveStatus } from '../../pipelines/dashboard/status.js';
import { tempDir } from '../helpers/deploy.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const shots = process.env['TIERFLOW_SCREENSHOT_DIR'] ?? tempDir('tierflow-dashboard-shots-');
const NODES = ['cam-node-1', 'cam-node-2', 'cam-node-3'];
const CAMERAS = Array.from({ length: 30 }, (_, i) => ({ name: `cam-${String(i + 1).padStart(2, '0')}`, node: NODES[i % 3]! }));
const RETRYING = 'cam-07';
const RETRYING_SINCE = Date.parse('2026-12-07T09:30:00Z');

const graph: FlowGraph = {
  tiers: ['device', 'edge', 'cloud'],
  nodes: [...NODES.map((name) => ({ name, tier: 'device' })), { name: 'gateway', tier: 'edge' }],
  operators: [
    ...NODES.map((node) => ({ id: `decode@${node}`, uses: 'decode@1', node, tier: 'device', replicas: 1 })),
    { id: 'detect@gateway', uses: 'detect@1', node: 'gateway', tier: 'edge', replicas: 2 },
  ],
  sources: CAMERAS,
  edges: [
    ...CAMERAS.map((c) => ({ from: `source:${c.name}`, to: `decode@${c.node}`, topic: null })),
    ...NODES.map((node) => ({ from: `decode@${node}`, to: 'detect@gateway', topic: 'city.frames' })),
  ],
};

// What deployStatusProvider makes of the workers' /status answers: cam-node-3's worker does not answer.
const status = async (): Promise<LiveStatus> => ({
  at: Date.now(),
  nodes: [...NODES.map((name) => ({ name, up: name !== 'cam-node-3', ...(name === 'cam-node-3' ? { detail: 'status http://127.0.0.1:1/status: fetch failed' } : {}) })), { name: 'gateway', up: true }],
  operators: [
    { operator: 'decode', node: 'cam-node-1', fps: 50, recordsIn: 500, recordsOut: 500, dropped: 0, lag: 0 },
    { operator: 'decode', node: 'cam-node-2', fps: 45, recordsIn: 450, recordsOut: 450, dropped: 3, lag: 0 },
    { operator: 'detect', node: 'gateway', fps: 95, recordsIn: 950, recordsOut: 950, dropped: 12, lag: 7 },
  ],
  sources: CAMERAS.filter((c) => c.node !== 'cam-node-3').map((c) => (c.name === RETRYING ? { source: c.name, state: 'retrying', since: RETRYING_SINCE, detail: 'connection refused' } : { source: c.name, state: 'connected', since: RETRYING_SINCE })),
});

const cards = (page: Page) => page.$$eval('[data-testid=camera-card]', (els) => els.map((e) => ({ camera: (e as HTMLElement).dataset['camera']!, state: (e as HTMLElement).dataset['state']!, text: e.textContent ?? '' })));

test('at 30 cameras: grouped by node, 12 a page; retrying since when; a node down; figures per placement', { timeout: 120_000 }, async () => {
  const server = await serveDashboard({ title: 'city', topology: 'city', graph, status, pictures: { snapshots: false, thumbnails: false } });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] }).catch(async (e: unknown) => {
    await server.close();
    throw e;
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(`${server.url}#Cameras`);
    await page.waitForFunction(`document.querySelectorAll('[data-testid=camera-card][data-state=connected]').length > 0`, undefined, { timeout: 20_000 });
    const seen: string[] = [];
    for (const expected of [12, 12, 6]) {
      const onPage = await cards(page);
      assert.equal(onPage.length, expected, `cameras on page ${seen.length / 12 + 1}`);
      assert.match((await page.textContent('.pager')) ?? '', /\(30 cameras\)/);
      // Grouped: each node's heading, then only its cameras.
      const groups = await page.$$eval('.group', (els) => els.map((g) => ({ node: g.querySelector('h2')?.textContent ?? '', cameras: [...g.querySelectorAll('[data-testid=camera-card]')].map((c) => (c as HTMLElement).dataset['camera']!) })));
      for (const g of groups) for (const c of g.cameras) assert.equal(CAMERAS.find((x) => x.name === c)?.node, g.node, `${c} under ${g.node}`);
      seen.push(...onPage.map((c) => c.camera));
      if (seen.length === 12) await page.screenshot({ path: join((mkdirSync(shots, { recursive: true }), shots), 'dashboard-30-cameras.png') });
      await page.click('.pager button:last-of-type');
      await page.waitForTimeout(300);
    }
    assert.deepEqual([...seen].sort(), CAMERAS.map((c) => c.name).sort(), 'every camera on exactly one page');
    await page.click('.pager button:first-of-type');
    await page.click('.pager button:first-of-type');
    const retrying = (await cards(page)).find((c) => c.camera === RETRYING)!;
    assert.equal(retrying.state, 'retrying');
    assert.match(retrying.text, /retrying since \d{1,2}:\d{2}:\d{2}/, 'since when, as a time of day');
    assert.match(retrying.text, /connection refused/);
    const onDownNode = (await cards(page)).filter((c) => CAMERAS.find((x) => x.name === c.camera)?.node === 'cam-node-3');
    assert.ok(onDownNode.length > 0 && onDownNode.every((c) => c.state === 'node-down' && /node down/.test(c.text)), JSON.stringify(onDownNode));

    await page.click('[data-testid=tab-Topology]');
    await page.waitForFunction(`document.querySelectorAll('[data-testid=graph-operator]').length === 4`, undefined, { timeout: 20_000 });
    const down = await page.$$eval('[data-testid=graph-node]', (els) => els.map((e) => `${(e as HTMLElement).dataset['name']}=${(e as HTMLElement).dataset['down']}`));
    assert.deepEqual(down.sort(), ['cam-node-1=no', 'cam-node-2=no', 'cam-node-3=yes', 'gateway=no']);
    const figures = Object.fromEntries(await page.$$eval('[data-testid=graph-operator]', (els) => els.map((e) => [(e as HTMLElement).dataset['operator'], e.querySelector('[data-testid=operator-figures]')?.textContent ?? ''])));
    assert.deepEqual(figures, {
      'decode@cam-node-1': '50.0/s · lag 0 · dropped 0',
      'decode@cam-node-2': '45.0/s · lag 0 · dropped 3',
      'decode@cam-node-3': '—',
      'detect@gateway': '95.0/s · lag 7 · dropped 12',
    });
  } finally {
    await browser.close();
    await server.close();
  }
});
