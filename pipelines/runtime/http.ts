// Health, Prometheus metrics and a JSON status of one worker. Binds to loopback unless told otherwise: metrics
// name cameras and identities, which are not for every network.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from './worker.js';

/** How long a held replica waits for its group's rebalance before it fetches again anyway. */
const HOLD_MS = 60_000;

export interface WorkerEndpoint {
  url: string;
  close(): Promise<void>;
}

/** The worker's /status: health, per-operator figures (with the consumer lag of the operators that read a topic), cameras. */
export async function workerStatus(worker: Worker) {
  const lag = await worker.lagByHead(500);
  return {
    healthy: worker.failure() === null,
    uptimeSec: Math.round(worker.uptimeMs() / 1000),
    operators: worker.metrics.snapshot().map((s) => ({ ...s, lag: lag.get(s.operator) ?? 0 })),
    sources: worker.sources(),
  };
}

export async function serveWorker(worker: Worker, opts: { host?: string; port?: number } = {}): Promise<WorkerEndpoint> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      // Lag is measured on request (bounded), so a scrape sees it current without a polling loop per worker.
      Promise.race([worker.refreshLag(), new Promise((r) => setTimeout(r, 1000))])
        .then(() => worker.metrics.registry.metrics())
        .then((body) => res.writeHead(200, { 'content-type': worker.metrics.registry.contentType }).end(body))
        .catch((e: unknown) => res.writeHead(500).end(String(e)));
    } else if (path === '/healthz' || path === '/readyz') {
      const healthy = worker.failure() === null;
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' }).end(healthy ? 'ok\n' : `failed: ${String(worker.failure())}\n`);
    } else if (req.method === 'POST' && (path === '/hold' || path === '/release')) {
      handover(worker, path, new URL(req.url ?? '/', 'http://worker').searchParams, res);
    } else if (path === '/status') {
      workerStatus(worker)
        .then((status) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status)))
        .catch((e: unknown) => res.writeHead(500).end(String(e)));
    } else res.writeHead(404).end('not found\n');
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A migration's handover (deploy/local/handover.ts): replicas held still while their group changes members, or let go. */
function handover(worker: Worker, path: string, q: URLSearchParams, res: ServerResponse): void {
  const group = q.get('group');
  if (!group) {
    res.writeHead(400).end('group= is required\n');
  } else if (path === '/release') {
    worker.release(group);
    res.writeHead(200).end('released\n');
  } else {
    worker
      .hold(group, Number(q.get('ms') ?? HOLD_MS))
      .then((n) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`held ${n}\n`))
      .catch((e: unknown) => res.writeHead(500).end(`${String(e)}\n`));
  }
}
