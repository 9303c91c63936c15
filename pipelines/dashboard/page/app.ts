/// <reference lib="dom" />
// The dashboard page (runs in the browser; tsc compiles it beside the server, which serves it as /app/app.js).
// Preact + htm render it, ELK lays out the topology graph, uPlot draws the live rates; updates arrive by SSE.
import { h, render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import uPlot from 'uplot';
import type { FlowGraph } from '../graph.js';
import type { ClusterLive, LabelledBox, SightingLive } from '../feed.js';
import type { LiveStatus } from '../status.js';
import type { SiteSummary } from '../sites.js';
import type { PicturePolicy } from '../frame-policy.js';
import { STYLE } from './style.js';

// htm's types describe its CommonJS build; the browser gets its ES module, whose default export is htm itself.
const html = (htm as unknown as { bind: (f: typeof h) => (strings: TemplateStringsArray, ...values: unknown[]) => unknown }).bind(h);

interface CameraLive {
  camera: string;
  snapshotAt: number | null;
  width?: number;
  height?: number;
  boxes: LabelledBox[];
}
interface Live {
  status: LiveStatus;
  cameras: CameraLive[];
  clusters: ClusterLive[];
  sites: SiteSummary[];
}
interface State extends Live {
  topology: string;
  graph: FlowGraph;
  pictures: PicturePolicy;
  tokenRequired: boolean;
  sightings: SightingLive[];
}

interface ElkNode {
  id: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  labels?: Array<{ text: string }>;
  children?: ElkNode[];
  edges?: ElkEdge[];
  layoutOptions?: Record<string, string>;
}
interface ElkEdge {
  id: string;
  sources: string[];
  targets: string[];
  labels?: Array<{ text: string; width: number; height: number; x?: number; y?: number }>;
  /** Set by ELK: the node whose coordinate system the edge's points are in. */
  container?: string;
  sections?: Array<{ startPoint: { x: number; y: number }; endPoint: { x: number; y: number }; bendPoints?: Array<{ x: number; y: number }> }>;
}
declare const ELK: new () => { layout(graph: ElkNode): Promise<ElkNode> };

const PAGE_CAMERAS = 12;
const PAGE_SIGHTINGS = 50;
const tokenMeta = document.querySelector('meta[name="tierflow-token"]')?.getAttribute('content') ?? null;
const time = (ms: number) => new Date(ms).toLocaleTimeString();

function token(): string | null {
  return tokenMeta ?? sessionStorage.getItem('tierflow-token');
}

// ---- Topology -------------------------------------------------------------------------------------------------

function elkGraph(g: FlowGraph): ElkNode {
  const pad = { 'elk.padding': '[top=26,left=10,bottom=10,right=10]' };
  return {
    id: 'root',
    layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT', 'elk.hierarchyHandling': 'INCLUDE_CHILDREN', 'elk.layered.spacing.nodeNodeBetweenLayers': '50', 'elk.spacing.edgeLabel': '4' },
    children: g.tiers
      .filter((t) => g.nodes.some((n) => n.tier === t))
      .map((tier) => ({
        id: `tier:${tier}`,
        labels: [{ text: tier }],
        layoutOptions: pad,
        children: g.nodes
          .filter((n) => n.tier === tier)
          .map((n) => ({
            id: `node:${n.name}`,
            labels: [{ text: n.name }],
            layoutOptions: pad,
            children: [
              ...g.sources.filter((s) => s.node === n.name).map((s) => ({ id: `source:${s.name}`, width: 90, height: 28 })),
              ...g.operators.filter((o) => o.node === n.name).map((o) => ({ id: o.id, width: 180, height: 46 })),
            ],
          })),
      })),
    edges: g.edges.map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to], labels: e.topic ? [{ text: e.topic.split('.').slice(-2).join('.'), width: 90, height: 12 }] : [] })),
  };
}

function Topology({ state }: { state: State }) {
  const [layout, setLayout] = useState<ElkNode | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    new ELK().layout(elkGraph(state.graph)).then(setLayout, (e: unknown) => setError(String(e)));
  }, [state.graph]);
  if (error) return html`<p class="error">layout failed: ${error}</p>`;
  if (!layout) return html`<p class="muted">laying out…</p>`;
  // A deploy's figures are per placement (operator@node); `tierflow run`'s per operator, over all its placements.
  const ops = new Map(state.status.operators.map((o) => [o.node ? `${o.operator}@${o.node}` : o.operator, o]));
  const placements = (name: string) => state.graph.operators.filter((o) => o.id.split('@')[0] === name).length;
  const nodesUp = new Map(state.status.nodes.map((n) => [n.name, n]));
  const byId = new Map(state.graph.operators.map((o) => [o.id, o]));
  const draw = (n: ElkNode, depth: number): unknown => {
    const x = n.x ?? 0;
    const y = n.y ?? 0;
    if (n.id.startsWith('tier:') || n.id.startsWith('node:')) {
      const name = n.id.slice(n.id.indexOf(':') + 1);
      const live = nodesUp.get(name);
      const down = n.id.startsWith('node:') && live !== undefined && !live.up;
      return html`<g transform="translate(${x},${y})" class="${n.id.startsWith('tier:') ? 'tier' : 'node'} ${down ? 'down' : ''}" data-testid=${n.id.startsWith('node:') ? 'graph-node' : 'graph-tier'} data-name=${name} data-down=${down ? 'yes' : 'no'}>
        <rect width=${n.width} height=${n.height} rx="6"></rect>
        <text x="8" y="16" class="label">${name}${down ? ' — DOWN' : ''}</text>
        ${(n.children ?? []).map((c) => draw(c, depth + 1))}
      </g>`;
    }
    if (n.id.startsWith('source:')) {
      return html`<g transform="translate(${x},${y})" class="src"><rect width=${n.width} height=${n.height} rx="14"></rect><text x="10" y="18">${n.id.slice(7)}</text></g>`;
    }
    const op = byId.get(n.id);
    const name = op?.id.split('@')[0] ?? '';
    const live = op ? (ops.get(op.id) ?? ops.get(name)) : undefined;
    const all = live && !live.node && placements(name) > 1 ? `all ${placements(name)}: ` : '';
    return html`<g transform="translate(${x},${y})" class="op" data-testid="graph-operator" data-operator=${op?.id}>
      <rect width=${n.width} height=${n.height} rx="4"></rect>
      <text x="6" y="15" class="label">${name} <tspan class="uses">${op?.uses}${op && op.replicas > 1 ? ` ×${op.replicas}` : ''}</tspan></text>
      <text x="6" y="31" data-testid="operator-figures">${live ? `${all}${live.fps.toFixed(1)}/s · lag ${live.lag} · dropped ${live.dropped}` : '—'}</text>
    </g>`;
  };
  // ELK gives an edge's points relative to the node that contains it (its `container`): offset them to the root.
  const offsets = new Map<string, { x: number; y: number }>([['root', { x: 0, y: 0 }]]);
  const place = (n: ElkNode, at: { x: number; y: number }) => {
    for (const c of n.children ?? []) {
      const o = { x: at.x + (c.x ?? 0), y: at.y + (c.y ?? 0) };
      offsets.set(c.id, o);
      place(c, o);
    }
  };
  place(layout, { x: 0, y: 0 });
  const edges = (layout.edges ?? []).map((e) => {
    const s = e.sections?.[0];
    if (!s) return null;
    const o = offsets.get(e.container ?? 'root') ?? { x: 0, y: 0 };
    const pts = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].map((p) => ({ x: p.x + o.x, y: p.y + o.y }));
    const label = e.labels?.[0];
    return html`<g><path d=${`M${pts.map((p) => `${p.x},${p.y}`).join(' L')}`}></path>${label && label.x !== undefined ? html`<text class="topic" x=${label.x + o.x} y=${(label.y ?? 0) + o.y + 10}>${label.text}</text>` : null}</g>`;
  });
  return html`<div class="graph">
    <svg width="100%" viewBox="-10 -10 ${(layout.width ?? 600) + 20} ${(layout.height ?? 300) + 20}">
      <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#6b7585"></path></marker></defs>
      ${(layout.children ?? []).map((c) => draw(c, 0))}
      ${edges}
    </svg>
  </div>`;
}

/** The last two minutes of rates, kept while the Topology view is not shown, so its chart opens with a history. */
const RATES: [number[], number[], number[]] = [[], [], []];

function recordRates(state: State): void {
  const fromSources = state.status.operators.filter((o) => state.graph.operators.some((g) => g.id.startsWith(`${o.operator}@`) && state.graph.edges.some((e) => e.from.startsWith('source:') && e.to === g.id)));
  RATES[0].push(state.status.at / 1000);
  RATES[1].push(fromSources.reduce((n, o) => n + o.fps, 0));
  RATES[2].push(state.sightings.length);
  if (RATES[0].length > 120) RATES.forEach((a) => a.shift());
}

function RateChart({ state }: { state: State }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  useEffect(() => {
    if (!el.current) return;
    chart.current = new uPlot(
      { width: 300, height: 160, title: 'frames/s and sightings', series: [{}, { label: 'decoded fps', stroke: '#4a78c2' }, { label: 'sightings', stroke: '#c2784a' }], axes: [{}, {}] },
      RATES,
      el.current,
    );
    return () => chart.current?.destroy();
  }, []);
  useEffect(() => chart.current?.setData(RATES), [state.status.at]);
  return html`<div class="card" ref=${el}></div>`;
}

// ---- Cameras --------------------------------------------------------------------------------------------------

function Cameras({ state }: { state: State }) {
  const [page, setPage] = useState(0);
  const boxes = new Map(state.cameras.map((c) => [c.camera, c]));
  const nodeOf = new Map(state.graph.sources.map((s) => [s.name, s.node]));
  const all = state.graph.sources.map((s) => s.name);
  const pages = Math.max(1, Math.ceil(all.length / PAGE_CAMERAS));
  const shown = all.slice(page * PAGE_CAMERAS, (page + 1) * PAGE_CAMERAS);
  const groups = [...new Set(shown.map((c) => nodeOf.get(c) ?? '?'))];
  const tick = Math.floor(state.status.at / 2000);
  return html`<div>
    ${pages > 1 ? html`<div class="pager"><button onClick=${() => setPage(Math.max(0, page - 1))}>‹</button> page ${page + 1} of ${pages} (${all.length} cameras) <button onClick=${() => setPage(Math.min(pages - 1, page + 1))}>›</button></div>` : null}
    ${!state.pictures.snapshots ? html`<p class="muted" data-testid="no-snapshots">This dashboard runs on a tier that frames may not reach: no snapshots here.</p>` : null}
    ${groups.map(
      (node) => html`<div class="group"><h2>${node}</h2><div class="grid">
        ${shown
          .filter((c) => nodeOf.get(c) === node)
          .map((camera) => {
            const s = state.status.sources.find((x) => x.source === camera);
            const live = boxes.get(camera);
            const nodeDown = state.status.nodes.some((n) => n.name === nodeOf.get(camera) && !n.up);
            const stateText = !s ? (nodeDown ? 'node down' : 'unknown') : s.state === 'retrying' ? `retrying since ${time(s.since)}` : `${s.state} since ${time(s.since)}`;
            return html`<div class="card" data-testid="camera-card" data-camera=${camera} data-state=${s?.state ?? (nodeDown ? 'node-down' : 'unknown')}>
              <h3>${camera} <span class="state ${s?.state ?? ''}">${stateText}</span></h3>
              ${state.pictures.snapshots && live?.snapshotAt
                ? html`<div class="snap"><img data-testid="snapshot" src=${`/api/cameras/${encodeURIComponent(camera)}/snapshot.jpg?t=${tick}`} alt=${`${camera} snapshot`} />
                    <svg viewBox=${`0 0 ${live.width ?? 640} ${live.height ?? 360}`} preserveAspectRatio="none">${live.boxes.map((b) => html`<g><rect x=${b.box[0]} y=${b.box[1]} width=${b.box[2]} height=${b.box[3]}></rect><text x=${b.box[0]} y=${b.box[1] - 4}>${b.label}</text></g>`)}</svg></div>`
                : null}
              ${s?.detail ? html`<div class="muted">${s.detail}</div>` : null}
            </div>`;
          })}
      </div></div>`,
    )}
  </div>`;
}

// ---- Sightings ------------------------------------------------------------------------------------------------

function NameCluster({ cluster, onDone }: { cluster: ClusterLive; onDone: (m: string) => void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    let t = token();
    if (!t) {
      t = prompt('Dashboard token (it guards enrolment)') ?? '';
      sessionStorage.setItem('tierflow-token', t);
    }
    setBusy(true);
    const res = await fetch(`/api/clusters/${encodeURIComponent(cluster.id)}/enrol?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'x-tierflow-token': t } });
    const body = (await res.json()) as { error?: string; name?: string };
    setBusy(false);
    onDone(res.ok ? `enrolled ${body.name}` : (body.error ?? `failed (${res.status})`));
  };
  return html`<span><input type="text" data-testid="cluster-name" placeholder="name…" value=${name} onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} />
    <button class="act" data-testid="cluster-enrol" disabled=${busy || !name.trim()} onClick=${submit}>Name</button></span>`;
}

function Sightings({ state }: { state: State }) {
  const [camera, setCamera] = useState('');
  const [page, setPage] = useState(0);
  const [message, setMessage] = useState<string | null>(null);
  const list = useMemo(() => [...state.sightings].reverse().filter((s) => !camera || s.camera === camera), [state.sightings, camera]);
  const pages = Math.max(1, Math.ceil(list.length / PAGE_SIGHTINGS));
  const thumb = (key: string | null) => (state.pictures.thumbnails && key ? html`<img class="thumb" data-testid="thumb" src=${`/api/thumbs/${encodeURIComponent(key)}.jpg`} alt="" />` : html`<span class="thumb"></span>`);
  const open = state.clusters.filter((c) => !c.named);
  return html`<div class="cols"><div>
    <div class="pager">camera <select onChange=${(e: Event) => { setCamera((e.target as HTMLSelectElement).value); setPage(0); }}><option value="">all</option>${state.graph.sources.map((s) => html`<option>${s.name}</option>`)}</select>
      ${pages > 1 ? html`<button onClick=${() => setPage(Math.max(0, page - 1))}>‹</button> ${page + 1}/${pages} <button onClick=${() => setPage(Math.min(pages - 1, page + 1))}>›</button>` : null}
      <span class="muted">${list.length} sightings</span></div>
    <table><thead><tr><th></th><th>who</th><th>camera</th><th>when</th><th>frames</th></tr></thead><tbody>
      ${list.slice(page * PAGE_SIGHTINGS, (page + 1) * PAGE_SIGHTINGS).map(
        (s) => html`<tr data-testid="sighting-row" data-label=${s.label} data-camera=${s.camera}><td>${thumb(s.thumb)}</td><td>${s.label}</td><td>${s.camera}</td><td>${time(s.from)}–${time(s.to)}</td><td>${s.frames}</td></tr>`,
      )}
    </tbody></table></div>
    <div><div class="card"><h3>Unknown faces</h3>
      ${message ? html`<p data-testid="enrol-message">${message}</p>` : null}
      ${open.length === 0 ? html`<p class="muted">none seen</p>` : null}
      <table>${open.slice(0, 30).map(
        (c) => html`<tr data-testid="cluster-row" data-cluster=${c.id} data-camera=${c.camera}><td>${thumb(`${c.camera}|unknown:${c.id}`)}</td><td>unknown #${c.n}<div class="muted">${c.camera}, last ${time(c.lastSeen)}</div></td><td><${NameCluster} cluster=${c} onDone=${setMessage} /></td></tr>`,
      )}</table></div></div>
  </div>`;
}

// ---- Sites ----------------------------------------------------------------------------------------------------

function Sites({ state }: { state: State }) {
  if (state.sites.length === 0) return html`<p class="muted">No other sites: list them with <code>tierflow dashboard --site name=http://host:port/</code>.</p>`;
  return html`<table><thead><tr><th>site</th><th>state</th><th>topology</th><th>cameras</th><th>fps</th><th>sightings</th><th>nodes down</th></tr></thead><tbody>
    ${state.sites.map(
      (s) => html`<tr data-testid="site-row" data-site=${s.name} data-up=${s.up ? 'yes' : 'no'}><td><a href=${s.url}>${s.name}</a></td><td><span class="state ${s.up ? 'connected' : 'failed'}">${s.up ? 'up' : 'down'}</span>${s.error ? html`<div class="muted">${s.error}</div>` : null}</td>
        <td>${s.topology ?? ''}</td><td>${s.cameras ? `${s.cameras.connected}/${s.cameras.total} connected` : ''}</td><td>${s.fps ?? ''}</td><td>${s.sightings ?? ''}</td><td>${s.nodesDown ?? ''}</td></tr>`,
    )}
  </tbody></table>`;
}

// ---- App ------------------------------------------------------------------------------------------------------

const VIEWS = ['Topology', 'Cameras', 'Sightings', 'Sites'] as const;

function App() {
  const [state, setState] = useState<State | null>(null);
  const [view, setView] = useState<(typeof VIEWS)[number]>((location.hash.slice(1) as (typeof VIEWS)[number]) || 'Cameras');
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    let es: EventSource | null = null;
    void fetch('/api/state')
      .then((r) => r.json() as Promise<State>)
      .then((s) => {
        setState(s);
        es = new EventSource('/api/events');
        es.onopen = () => setConnected(true);
        es.onerror = () => setConnected(false);
        es.addEventListener('status', (e) => setState((prev) => (prev ? { ...prev, ...(JSON.parse((e as MessageEvent<string>).data) as Live) } : prev)));
        es.addEventListener('sighting', (e) => setState((prev) => (prev ? { ...prev, sightings: [...prev.sightings, JSON.parse((e as MessageEvent<string>).data) as SightingLive].slice(-500) } : prev)));
      });
    return () => es?.close();
  }, []);
  useEffect(() => {
    if (state) recordRates(state);
  }, [state?.status.at]);
  if (!state) return html`<p class="muted">loading…</p>`;
  const connectedCams = state.status.sources.filter((s) => s.state === 'connected').length;
  return html`<div>
    <header><h1>tierflow · ${state.topology}</h1>
      <nav>${VIEWS.map((v) => html`<button class=${v === view ? 'on' : ''} data-testid=${`tab-${v}`} onClick=${() => { setView(v); location.hash = v; }}>${v}</button>`)}</nav>
      <span class="live ${connected ? '' : 'off'}" data-testid="live">${connected ? 'live' : 'reconnecting'} · ${connectedCams}/${state.status.sources.length} cameras connected · ${state.sightings.length} sightings</span></header>
    <main>
      ${view === 'Topology' ? html`<div class="cols"><${Topology} state=${state} /><${RateChart} state=${state} /></div>` : null}
      ${view === 'Cameras' ? html`<${Cameras} state=${state} />` : null}
      ${view === 'Sightings' ? html`<${Sightings} state=${state} />` : null}
      ${view === 'Sites' ? html`<${Sites} state=${state} />` : null}
    </main></div>`;
}

const style = document.createElement('style');
style.textContent = STYLE;
document.head.append(style);
const root = document.getElementById('app')!;
root.textContent = '';
render(h(App as () => null, null), root);
