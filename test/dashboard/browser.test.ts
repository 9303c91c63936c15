// The dashboard in a real headless browser (Debian's chromium, driven by playwright-core) against the demo as a
// user runs it: the first line names the dashboard, the page shows three cameras connected, a sighting with a
// thumbnail appears within 15 s, and naming an unknown face enrols it so that the next sighting carries the name.
// One demo person is left out of the gallery so there is an unknown face to name. Screenshots are saved
// (TIERFLOW_SCREENSHOT_DIR, default the temp folder).
import '../helpers/operators.js';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Page } from 'playwright-core';
import { cliPath, repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/deploy.js';
import { compileTopology } from '../../pipelines/cli/compile.js';
import { enrollDemoGallery } from '../../operators/vision/demo-gallery.js';
import { readGallery, writeGallery } from '../../operators/vision/gallery.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const LEFT_OUT = 'sample2-person-2';
const LEFT_OUT_CAMERA = 'cam-2';
const NEW_NAME = 'Dana Visitor';
const shots = process.env['TIERFLOW_SCREENSHOT_DIR'] ?? tempDir('tierflow-dashboard-shots-');
let demo: ChildProcess | null = null;

after(() => {
  if (demo && demo.exitCode === null) demo.kill('SIGKILL');
});

async function demoTopology(dir: string): Promise<string> {
  const text = readFileSync(join(repoRoot, 'topology.yaml'), 'utf8')
    .replace(/durationSec: 20\b/, 'durationSec: 75')
    .replace('minFrames: 2', 'minFrames: 2\n      includeUnknown: true')
    // Right matches sit at 0.07-0.15 here; at the default 0.5 the left-out person passes for sample1-person-2.
    .replace('gallery: gallery.json', 'threshold: 0.35\n      gallery: gallery.json')
    .replace(/^# yaml-language-server.*\n/, '');
  const file = join(dir, 'topology.yaml');
  writeFileSync(file, text);
  const { plan } = await compileTopology(file);
  const galleryFile = join(dir, 'gallery.json');
  await enrollDemoGallery(plan.sources, galleryFile, dir);
  const gallery = await readGallery(galleryFile);
  assert.ok(gallery.identities.some((i) => i.name === LEFT_OUT), `${LEFT_OUT} is in the demo gallery`);
  await writeGallery(galleryFile, { ...gallery, identities: gallery.identities.filter((i) => i.name !== LEFT_OUT) });
  return file;
}

const waitFor = (page: Page, what: string, fn: string, timeoutMs: number) =>
  page.waitForFunction(fn, undefined, { timeout: timeoutMs, polling: 250 }).catch((e: unknown) => {
    throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}: ${(e as Error).message.split('\n')[0]}`);
  });

test('the demo dashboard: three cameras, a sighting with a thumbnail, and naming an unknown face', { timeout: 240_000 }, async () => {
  const dir = tempDir('tierflow-dashboard-');
  const file = await demoTopology(dir);
  demo = spawn(process.execPath, [cliPath, 'run', file, '--until-sources-end', '--dashboard-port', '0', '--data-dir', join(dir, '.tierflow')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const err: string[] = [];
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: demo!.stderr! });
    lines.on('line', (l) => {
      err.push(l);
      if (err.length === 1) resolve(l);
    });
    demo!.once('exit', (code) => reject(new Error(`run exited (${code}) before printing: ${err.join(' | ')}`)));
  });
  demo.stdout!.resume();
  const m = /^dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(first);
  assert.ok(m, `first line names the dashboard: '${first}'`);
  const url = m[1]!;

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(`${url}#Cameras`);
    await waitFor(page, 'three cameras connected', `document.querySelectorAll('[data-testid=camera-card][data-state=connected]').length === 3`, 30_000);
    // The 15 s for a first sighting count from the cameras being connected (models load before that).
    const started = Date.now();
    await waitFor(page, 'a snapshot with face boxes', `[...document.querySelectorAll('[data-testid=snapshot]')].some((i) => i.complete && i.naturalWidth > 0) && document.querySelectorAll('.snap svg rect').length > 0`, 20_000);
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'dashboard-cameras.png') });

    await page.click('[data-testid=tab-Sightings]');
    const sightingBy = 15_000 - (Date.now() - started);
    await waitFor(page, 'a sighting with a thumbnail', `[...document.querySelectorAll('[data-testid=sighting-row] img[data-testid=thumb]')].some((i) => i.complete && i.naturalWidth > 0)`, Math.max(sightingBy, 1000));
    const seenAfter = (Date.now() - started) / 1000;
    assert.ok(seenAfter <= 15, `first sighting with a thumbnail after ${seenAfter} s`);

    // The left-out person is the one on cam-2; a weak detection elsewhere may found a cluster that never recurs.
    const row = `[data-testid=cluster-row][data-camera=${LEFT_OUT_CAMERA}]`;
    await waitFor(page, `an unknown face on ${LEFT_OUT_CAMERA} to name`, `document.querySelector('${row}') !== null`, 45_000);
    const cluster = await page.getAttribute(row, 'data-cluster');
    await page.fill(`${row} [data-testid=cluster-name]`, NEW_NAME);
    await page.click(`${row} [data-testid=cluster-enrol]`);
    await waitFor(page, 'the enrol confirmation', `document.querySelector('[data-testid=enrol-message]')?.textContent === 'enrolled ${NEW_NAME}'`, 10_000);
    const named = Date.now();
    await waitFor(page, `a sighting named ${NEW_NAME}`, `[...document.querySelectorAll('[data-testid=sighting-row]')].some((r) => r.dataset.label === '${NEW_NAME}')`, 40_000);
    const gallery = JSON.parse(readFileSync(join(dir, 'gallery.json'), 'utf8')) as { identities: Array<{ name: string }> };
    assert.ok(gallery.identities.some((i) => i.name === NEW_NAME), `cluster ${cluster} enrolled as ${NEW_NAME}`);
    process.stderr.write(`dashboard test: sighting with thumbnail after ${seenAfter.toFixed(1)} s; named sighting ${((Date.now() - named) / 1000).toFixed(1)} s after enrolment; screenshots in ${shots}\n`);
    await page.screenshot({ path: join(shots, 'dashboard-sightings.png') });
    await page.click('[data-testid=tab-Topology]');
    await waitFor(page, 'the topology graph', `document.querySelectorAll('[data-testid=graph-operator]').length >= 9`, 10_000);
    await page.screenshot({ path: join(shots, 'dashboard-topology.png') });
  } finally {
    await browser.close();
  }
  demo.kill('SIGINT');
  const code = await new Promise<number | null>((r) => (demo!.exitCode !== null ? r(demo!.exitCode) : demo!.once('exit', (c) => r(c))));
  assert.equal(code, 0, err.slice(-5).join('\n'));
});
