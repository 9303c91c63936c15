// One dashboard over several sites: each site is another tierflow dashboard (its /api/site-summary) or a worker's
// status endpoint (a URL ending in /status), polled with a short timeout; a site that does not answer is down.
import { TierflowError } from '../errors.js';

export interface SiteSpec {
  name: string;
  url: string;
}

export interface SiteSummary {
  name: string;
  url: string;
  up: boolean;
  error?: string;
  topology?: string;
  cameras?: { connected: number; total: number };
  fps?: number;
  sightings?: number;
  nodesDown?: number;
  checkedAt: number;
}

/** `name=http://host:port/` (a dashboard) or `name=http://host:port/status` (a worker). */
export function parseSite(text: string): SiteSpec {
  const m = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,63})=(https?:\/\/\S+)$/.exec(text.trim());
  if (!m) throw new TierflowError('BAD_ARGUMENT', `--site: expected name=http://host:port[/status], got '${text}'`, { exitCode: 2 });
  try {
    new URL(m[2]!);
  } catch {
    throw new TierflowError('BAD_ARGUMENT', `--site ${m[1]}: '${m[2]}' is not a URL`, { exitCode: 2 });
  }
  return { name: m[1]!, url: m[2]! };
}

interface WorkerStatus {
  healthy: boolean;
  operators: Array<{ fps: number; recordsOut: number }>;
  sources: Array<{ state: string }>;
}

export async function pollSite(site: SiteSpec, fetchFn: typeof fetch = fetch, timeoutMs = 1500): Promise<SiteSummary> {
  const checkedAt = Date.now();
  const worker = /\/status\/?$/.test(new URL(site.url).pathname);
  const target = worker ? site.url : new URL('api/site-summary', site.url.endsWith('/') ? site.url : `${site.url}/`).toString();
  try {
    const res = await fetchFn(target, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`answered ${res.status}`);
    if (!worker) return { ...((await res.json()) as Omit<SiteSummary, 'name' | 'url' | 'checkedAt'>), name: site.name, url: site.url, up: true, checkedAt };
    const s = (await res.json()) as WorkerStatus;
    return {
      name: site.name,
      url: site.url,
      up: s.healthy,
      cameras: { connected: s.sources.filter((x) => x.state === 'connected').length, total: s.sources.length },
      fps: Math.round(Math.max(0, ...s.operators.map((o) => o.fps)) * 10) / 10,
      checkedAt,
    };
  } catch (e) {
    return { name: site.name, url: site.url, up: false, error: `${target}: ${(e as Error).message}`, checkedAt };
  }
}
