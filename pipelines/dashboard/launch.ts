// Starting a dashboard from the CLI's flags: for a `tierflow run` (its own records, live) or over a local
// deploy's workers, with sites to aggregate. Token and bind rules are checked here, before anything listens.
import type { Plan } from '../plan/types.js';
import type { Topology } from '../topology/schema.js';
import { policyLimits, operatorClasses } from '../plan/policy.js';
import { TierflowError } from '../errors.js';
import type { AnyOperatorDefinition } from '../operator.js';
import { frameHostTier, picturePolicy, type PicturePolicy } from './frame-policy.js';
import { flowGraph, type FlowGraph } from './graph.js';
import type { LiveFeed } from './feed.js';
import { isLoopback, serveDashboard, type DashboardServer } from './server.js';
import { parseSite, type SiteSpec } from './sites.js';
import type { StatusProvider } from './status.js';

export const DEFAULT_DASHBOARD_PORT = 7390;

export interface DashboardFlags {
  dashboardPort?: string;
  bind?: string;
  token?: string;
  site?: string[];
}

/** `${env:NAME}` → the variable's value; a literal is refused, as literal secrets in a topology are. */
export function resolveToken(ref: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (ref === undefined) return undefined;
  const m = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(ref);
  if (!m) throw new TierflowError('BAD_ARGUMENT', `--token: give it as an environment reference like \${env:TIERFLOW_DASHBOARD_TOKEN}, not a literal`, { exitCode: 2 });
  const value = env[m[1]!];
  if (!value) throw new TierflowError('BAD_ARGUMENT', `--token: environment variable ${m[1]} is not set`, { exitCode: 2 });
  if (value.length < 16) throw new TierflowError('BAD_ARGUMENT', `--token: ${m[1]} holds ${value.length} characters; use at least 16`, { exitCode: 2 });
  return value;
}

export interface CheckedFlags {
  host: string;
  port: number;
  portGiven: boolean;
  token?: string;
  sites: SiteSpec[];
}

/** Everything a bad flag can be, as one line and exit 2, before the topology runs. */
export function checkDashboardFlags(flags: DashboardFlags): CheckedFlags {
  const host = flags.bind ?? '127.0.0.1';
  const portText = flags.dashboardPort ?? String(DEFAULT_DASHBOARD_PORT);
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new TierflowError('BAD_ARGUMENT', `--dashboard-port: expected a port 0-65535, got '${portText}'`, { exitCode: 2 });
  const token = resolveToken(flags.token);
  if (!isLoopback(host) && !token) {
    throw new TierflowError('BAD_ARGUMENT', `--bind ${host}: a dashboard beyond loopback needs --token \${env:NAME} (the token its state-changing routes require)`, { exitCode: 2 });
  }
  return { host, port: Number(portText), portGiven: flags.dashboardPort !== undefined, token, sites: (flags.site ?? []).map(parseSite) };
}

/** Listens on the port asked for; the default port, when taken, gives way to any free one. */
export async function listen(checked: CheckedFlags, make: (port: number) => Promise<DashboardServer>): Promise<DashboardServer> {
  try {
    return await make(checked.port);
  } catch (e) {
    if (checked.portGiven || !(e instanceof TierflowError && /EADDRINUSE/.test(e.message))) throw e;
    return make(0);
  }
}

export interface RunDashboard {
  /** What the run's records show; absent when no operator module makes a feed for this plan. */
  live?: LiveFeed;
  server: DashboardServer;
}

/** The tier where frames are in a run process: the outermost tier of the placements that handle frame data. */
export function runPictures(plan: Plan, topology: Pick<Topology, 'tiers' | 'policies'>, operators: (uses: string) => AnyOperatorDefinition): PicturePolicy {
  const frameTiers = plan.placements.filter((p) => operatorClasses(operators(p.uses)).includes('frame')).map((p) => p.tier);
  return picturePolicy(plan.tiers, policyLimits(topology), frameHostTier(plan.tiers, frameTiers));
}

export async function startRunDashboard(opts: {
  plan: Plan;
  checked: CheckedFlags;
  pictures: PicturePolicy;
  status: StatusProvider;
  live?: LiveFeed;
  log: (line: string) => void;
}): Promise<RunDashboard> {
  const graph: FlowGraph = flowGraph(opts.plan);
  const server = await listen(opts.checked, (port) =>
    serveDashboard({
      title: `tierflow · ${opts.plan.topology}`,
      topology: opts.plan.topology,
      graph,
      status: opts.status,
      pictures: opts.pictures,
      live: opts.live,
      sites: opts.checked.sites,
      host: opts.checked.host,
      port,
      token: opts.checked.token,
      log: opts.log,
    }),
  );
  return { live: opts.live, server };
}
