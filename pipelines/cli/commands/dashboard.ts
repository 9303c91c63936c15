// `tierflow dashboard [topology]`: the dashboard over a local deploy's workers (their /status endpoints) and any
// --site given, until Ctrl-C. It sits on --tier (default: the outermost), so it serves pictures only where the
// frame policy reaches; over a deploy it shows no pictures, because its workers' frames stay in their processes.
import type { Command } from 'commander';
import { findDeploy } from '../../deploy/local/find.js';
import { DEFAULT_STATE_ROOT, readJson, type SupervisorState } from '../../deploy/local/state.js';
import { TierflowError } from '../../errors.js';
import type { Plan } from '../../plan/types.js';
import { flowGraph } from '../../dashboard/graph.js';
import { serveDashboard } from '../../dashboard/server.js';
import { deployStatusProvider } from '../../dashboard/status.js';
import { checkDashboardFlags, listen, type DashboardFlags } from '../../dashboard/launch.js';

interface Flags extends DashboardFlags {
  stateDir: string;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description('serve the dashboard over a local deploy (its workers\' status) and other sites, until Ctrl-C')
    .argument('[topology]', 'topology name or file of a local deploy (default: the only one; none with --site only)')
    .option('--state-dir <dir>', 'folder of deploy state', DEFAULT_STATE_ROOT)
    .option('--port <port>', 'port of the dashboard (default 7390, or a free one when that is taken)')
    .option('--bind <addr>', 'address to listen on (default 127.0.0.1; any other needs --token)')
    .option('--token <ref>', 'token for state-changing routes, as ${env:NAME}')
    .option('--site <name=url>', 'another site\'s dashboard or worker /status URL (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .action(async (topology: string | undefined, flags: Flags & { port?: string }) => {
      const checked = checkDashboardFlags({ ...flags, dashboardPort: flags.port });
      let plan: Plan | null = null;
      let stateFile: string | null = null;
      if (topology !== undefined || checked.sites.length === 0) {
        const paths = await findDeploy(flags.stateDir, topology);
        plan = readJson<Plan>(paths.plan);
        if (!plan) throw new TierflowError('DEPLOY_STATE', `no plan in ${paths.plan}: redeploy`, { exitCode: 2 });
        stateFile = paths.state;
      }
      const endpoints = () => (stateFile ? (readJson<SupervisorState>(stateFile)?.workers ?? []) : []).map((w) => ({ node: w.node, status: w.status }));
      const server = await listen(checked, (port) =>
        serveDashboard({
          title: plan ? `tierflow · ${plan.topology}` : 'tierflow · sites',
          topology: plan?.topology ?? 'sites',
          graph: plan ? flowGraph(plan) : { tiers: [], nodes: [], operators: [], sources: [], edges: [] },
          status: plan ? deployStatusProvider(plan, endpoints) : async () => ({ at: Date.now(), nodes: [], operators: [], sources: [] }),
          pictures: { snapshots: false, thumbnails: false },
          sites: checked.sites,
          host: checked.host,
          port,
          token: checked.token,
          log: say,
        }),
      );
      say(`dashboard: ${server.url}`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
