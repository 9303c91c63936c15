// The dashboard's HTTP server: the page and its libraries, a JSON state, live updates by Server-Sent Events,
// camera snapshots and face thumbnails (only where the picture policy allows: otherwise those routes do not
// exist), and the one state-changing route, enrol, which always needs the token.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TierflowError } from '../errors.js';
import { appAsset, pageHtml, vendorAsset } from './assets.js';
import { EnrolRefused, MAX_UPLOAD_BYTES, type LiveFeed } from './feed.js';
import type { PicturePolicy } from './frame-policy.js';
import type { FlowGraph } from './graph.js';
import { pollSite, type SiteSpec, type SiteSummary } from './sites.js';
import type { LiveStatus, StatusProvider } from './status.js';

export interface DashboardOptions {
  title: string;
  topology: string;
  graph: FlowGraph;
  status: StatusProvider;
  pictures: PicturePolicy;
  /** Records seen by this process (run); absent for a dashboard over a deploy's workers. */
  live?: LiveFeed;
  sites?: SiteSpec[];
  host?: string;
  port?: number;
  /** Needed by state-changing routes; given (from an env reference) for any bind but loopback. */
  token?: string;
  log?: (line: string) => void;
}

export interface DashboardServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
};

/** The body up to `limit` bytes; past it the rest is read and dropped (so the client gets the 413), up to 16x. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
      else if (size > limit * 16) req.destroy();
    });
    req.on('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function serveDashboard(opts: DashboardOptions): Promise<DashboardServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.token) {
    throw new TierflowError('BAD_ARGUMENT', `--bind ${host}: a dashboard beyond loopback needs --token \${env:NAME} (the token its state-changing routes require)`, { exitCode: 2 });
  }
  // On loopback without a token, one is made per process and put in the page, which only this machine can load.
  const token = opts.token ?? randomBytes(18).toString('base64url');
  const pageToken = opts.token ? null : token;
  const log = opts.log ?? (() => undefined);
  const sites = opts.sites ?? [];
  let siteSummaries: SiteSummary[] = sites.map((s) => ({ name: s.name, url: s.url, up: false, error: 'not checked yet', checkedAt: 0 }));
  let latest: LiveStatus = { at: Date.now(), nodes: [], operators: [], sources: [] };
  const clients = new Set<ServerResponse>();

  const refresh = async () => {
    latest = await opts.status().catch((e: unknown) => ({ ...latest, at: Date.now(), nodes: latest.nodes.map((n) => ({ ...n, up: false, detail: String(e) })) }));
    if (sites.length) siteSummaries = await Promise.all(sites.map((s) => pollSite(s)));
    const frame = `event: status\ndata: ${JSON.stringify(liveState())}\n\n`;
    for (const c of clients) c.write(frame);
  };
  const timer = setInterval(() => void refresh(), 1000);
  await refresh();
  const unsubscribe = opts.live?.onSighting((s) => {
    const frame = `event: sighting\ndata: ${JSON.stringify(s)}\n\n`;
    for (const c of clients) c.write(frame);
  });

  function liveState() {
    return {
      status: latest,
      cameras: opts.live?.cameras() ?? [],
      clusters: opts.live?.unknownClusters() ?? [],
      sites: siteSummaries,
    };
  }

  function siteSummary() {
    const sources = latest.sources;
    return {
      topology: opts.topology,
      cameras: { connected: sources.filter((s) => s.state === 'connected').length, total: sources.length },
      fps: Math.round(latest.operators.filter((o) => o.lag >= 0).reduce((m, o) => Math.max(m, o.fps), 0) * 10) / 10,
      sightings: opts.live?.recentSightings(MAX_SIGHTINGS_SUMMARY).length ?? 0,
      nodesDown: latest.nodes.filter((n) => !n.up).length,
    };
  }

  const authorised = (req: IncomingMessage) => {
    const given = Buffer.from(String(req.headers['x-tierflow-token'] ?? (req.headers.authorization ?? '').replace(/^Bearer /, '')));
    const want = Buffer.from(token);
    return given.length === want.length && timingSafeEqual(given, want);
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const path = url.pathname;
    // A loopback dashboard answers only to loopback host names: a page elsewhere cannot rebind a name onto it.
    if (isLoopback(host) && !/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(req.headers.host ?? '')) return json(res, 421, { error: 'loopback dashboard: use http://127.0.0.1' });
    if (req.method === 'GET' && path === '/') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(pageHtml({ title: opts.title, token: pageToken }));
    if (req.method === 'GET' && path.startsWith('/vendor/')) {
      const a = vendorAsset(path.slice('/vendor/'.length));
      return a ? void res.writeHead(200, { 'content-type': a.type, 'cache-control': 'max-age=3600' }).end(a.body) : json(res, 404, { error: 'not found' });
    }
    if (req.method === 'GET' && path.startsWith('/app/')) {
      const a = appAsset(path.slice('/app/'.length));
      return a ? void res.writeHead(200, { 'content-type': a.type }).end(a.body) : json(res, 404, { error: 'not found' });
    }
    if (req.method === 'GET' && path === '/api/state') {
      return json(res, 200, { topology: opts.topology, graph: opts.graph, pictures: opts.pictures, tokenRequired: pageToken === null, sightings: opts.live?.recentSightings() ?? [], ...liveState() });
    }
    if (req.method === 'GET' && path === '/favicon.ico') return void res.writeHead(204).end();
    if (req.method === 'GET' && path === '/api/site-summary') return json(res, 200, siteSummary());
    if (req.method === 'GET' && path === '/api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`event: status\ndata: ${JSON.stringify(liveState())}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    // Picture routes exist only where the policy lets this process show pictures.
    const snap = opts.pictures.snapshots && opts.live && req.method === 'GET' ? /^\/api\/cameras\/([^/]+)\/snapshot\.jpg$/.exec(path) : null;
    if (snap) {
      const jpeg = await opts.live!.snapshot(decodeURIComponent(snap[1]!), 640);
      return jpeg ? void res.writeHead(200, { 'content-type': 'image/jpeg', 'cache-control': 'no-store' }).end(jpeg) : json(res, 404, { error: 'no frame from this camera yet' });
    }
    const thumb = opts.pictures.thumbnails && opts.live && req.method === 'GET' ? /^\/api\/thumbs\/([^/]+)\.jpg$/.exec(path) : null;
    if (thumb) {
      const jpeg = await opts.live!.thumbnail(decodeURIComponent(thumb[1]!), 128);
      return jpeg ? void res.writeHead(200, { 'content-type': 'image/jpeg', 'cache-control': 'max-age=60' }).end(jpeg) : json(res, 404, { error: 'no such thumbnail' });
    }
    const enrol = /^\/api\/clusters\/([^/]+)\/enrol$/.exec(path);
    if (enrol) {
      if (req.method !== 'POST') return json(res, 405, { error: 'POST only' });
      if (!authorised(req)) return json(res, 401, { error: 'enrol needs the dashboard token (header x-tierflow-token)' });
      const enrolInto = opts.live?.enrol;
      if (!enrolInto) return json(res, 404, { error: 'this dashboard has no gallery to enrol into' });
      const body = await readBody(req, MAX_UPLOAD_BYTES);
      if (body === 'too-large') return void res.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ error: `enrol: the upload is over ${MAX_UPLOAD_BYTES} bytes` }));
      const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
      const name = url.searchParams.get('name') ?? '';
      try {
        const { into, ...done } = await enrolInto({
          clusterId: decodeURIComponent(enrol[1]!),
          name,
          ...(body.length > 0 ? { photo: { contentType: type, bytes: body } } : {}),
        });
        log(`dashboard: enrolled ${done.name} (${done.embeddings} embeddings) into ${into}`);
        return json(res, 200, done);
      } catch (e) {
        if (e instanceof EnrolRefused) return json(res, e.status, { error: e.message, code: e.code });
        throw e;
      }
    }
    json(res, 404, { error: 'not found' });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      log(`dashboard: ${req.method} ${req.url}: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) json(res, 500, { error: e instanceof Error ? e.message : String(e) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new TierflowError('BAD_ARGUMENT', `dashboard: cannot listen on ${host}:${opts.port ?? 0}: ${e.code ?? e.message}`, { exitCode: 2, cause: e })),
    );
    server.listen(opts.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    port,
    close: async () => {
      clearInterval(timer);
      unsubscribe?.();
      for (const c of clients) c.end();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    },
  };
}

const MAX_SIGHTINGS_SUMMARY = 500;
