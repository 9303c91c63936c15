// `tierflow status [topology] [--json]`: nodes, operators, replicas, fps, lag, dropped frames and camera state
// of a local deploy, from each worker's endpoints; a worker that does not answer shows as down.
import type { Command } from 'commander';
import { findDeploy } from '../../deploy/local/find.js';
import { collectStatus } from '../../deploy/local/status.js';
import { renderStatus } from '../../deploy/local/render-status.js';
import { DEFAULT_STATE_ROOT } from '../../deploy/local/state.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show a local deploy: processes, operators (replicas, fps, lag, dropped), cameras')
    .argument('[topology]', 'topology name or file (default: the only local deploy)')
    .option('--state-dir <dir>', 'folder of deploy state', DEFAULT_STATE_ROOT)
    .option('--json', 'print JSON for scripts')
    .action(async (topology: string | undefined, flags: { stateDir: string; json?: boolean }) => {
      const status = await collectStatus(await findDeploy(flags.stateDir, topology));
      process.stdout.write(flags.json ? `${JSON.stringify(status)}\n` : renderStatus(status));
    });
}
