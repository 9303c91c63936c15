// What the page is made of: its HTML shell, its own code (compiled from ./page by tsc, beside this file in
// dist/) and the browser builds the libraries ship in node_modules, served as they are (no bundling step).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** A file of an installed package, found from its entry point (some packages do not export package.json). */
function packageFile(pkg: string, rel: string): string {
  for (let dir = dirname(require.resolve(pkg)); dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === pkg) return join(dir, rel);
  }
  throw new Error(`package ${pkg} not found`);
}

/** The libraries' browser builds: Preact + htm (the page), uPlot (live charts), ELK (graph layout). */
const VENDOR: Record<string, () => string> = {
  'preact.mjs': () => packageFile('preact', 'dist/preact.mjs'),
  'preact-hooks.mjs': () => packageFile('preact', 'hooks/dist/hooks.mjs'),
  'htm.mjs': () => packageFile('htm', 'dist/htm.module.js'),
  'uplot.mjs': () => packageFile('uplot', 'dist/uPlot.esm.js'),
  'uplot.css': () => packageFile('uplot', 'dist/uPlot.min.css'),
  'elk.js': () => packageFile('elkjs', 'lib/elk.bundled.js'),
};

const TYPES: Record<string, string> = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.css': 'text/css' };
const typeOf = (name: string) => TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';

export interface Asset {
  body: Buffer;
  type: string;
}

const cache = new Map<string, Asset>();

function load(key: string, file: string): Asset | null {
  const hit = cache.get(key);
  if (hit) return hit;
  if (!existsSync(file)) return null;
  const asset = { body: readFileSync(file), type: typeOf(file) };
  cache.set(key, asset);
  return asset;
}

export function vendorAsset(name: string): Asset | null {
  const file = VENDOR[name];
  return file ? load(`vendor/${name}`, file()) : null;
}

/** The page's own modules: only plain names, only what tsc wrote beside this file. */
export function appAsset(name: string): Asset | null {
  if (!/^[a-z][a-z0-9-]*\.js$/.test(name)) return null;
  return load(`app/${name}`, join(here, 'page', name));
}

export function pageHtml(opts: { title: string; token: string | null }): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)}</title>
${opts.token ? `<meta name="tierflow-token" content="${esc(opts.token)}">` : ''}
<link rel="stylesheet" href="/vendor/uplot.css">
<script type="importmap">{"imports":{"preact":"/vendor/preact.mjs","preact/hooks":"/vendor/preact-hooks.mjs","htm":"/vendor/htm.mjs","uplot":"/vendor/uplot.mjs"}}</script>
<script src="/vendor/elk.js"></script>
<script type="module" src="/app/app.js"></script>
</head>
<body><div id="app">loading…</div></body>
</html>
`;
}
